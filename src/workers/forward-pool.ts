/**
 * A pool of forward-pass workers with a fixed set of slots: at most `maxInFlight` batches are out
 * at once, each in a slot (an ArrayBuffer moved to the worker and back, never copied), so memory
 * stays flat however fast the source reads. The main thread collects replies synchronously with
 * `receiveMessageOnPort`, sleeping in `Atomics.wait` on a counter the workers bump when it must
 * wait: this is what lets the operator hold the source back (RxJS itself has no backpressure).
 *
 * While it sleeps, the event loop does not turn, so a signal (Ctrl-C) waits until the wait ends:
 * each wait ends with the first reply, so it lasts at most the time of one batch on a worker
 * (milliseconds for an MLP, about half a second for a batch of 1000 on the ch. 7 convnet), and the
 * source lets the loop turn between batches (run-evaluation's `eventLoopTurns`). A worker that
 * never answers holds the main thread up to `timeoutMs`.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { KernelName } from '../kernels/forward-kernel.js';
import { spawnThread, type ThreadSource } from './threads.js';
import type { Network } from '../nn/network.js';
import { slotLayout, type WorkerInit, type WorkerJob, type WorkerReply } from './protocol.js';

export interface ForwardPoolOptions {
  readonly workers: number;
  readonly kernel: KernelName;
  readonly normalize: boolean;
  readonly maxBatchSize: number;
  /** Batches out at once, queued or running (default: 2 per worker, so none waits idle). */
  readonly maxInFlight?: number;
  /** How long to wait for any reply before giving up (default 60 s). */
  readonly timeoutMs?: number;
  /** The worker's script (default: forward-worker beside this module; the bench passes the bundled one). */
  readonly entry?: URL;
  /** Where the workers come from when no `entry` is given (default: started here). */
  readonly threadSource?: ThreadSource;
}

/** A finished batch: the slot with its predictions, and when it ran (epoch ms, worker clock). */
export interface PoolResult {
  readonly seq: number;
  readonly slot: ArrayBuffer;
  readonly started: number;
  readonly finished: number;
}

/** A deep copy of plain data whose typed arrays are fresh copies, listed for transfer. */
function copyForTransfer<T>(value: T, transfer: ArrayBuffer[]): T {
  if (ArrayBuffer.isView(value)) {
    const copy = (value as unknown as Float32Array).slice();
    transfer.push(copy.buffer as ArrayBuffer);
    return copy as unknown as T;
  }
  if (Array.isArray(value)) return value.map((v) => copyForTransfer(v, transfer)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyForTransfer(v, transfer)])) as T;
  }
  return value;
}

export class ForwardPool {
  readonly size: number;
  readonly maxInFlight: number;
  readonly layout: ReturnType<typeof slotLayout>;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly busy: number[];
  private readonly ready: boolean[];
  private readyCount = 0;
  private readonly owner = new Map<number, number>();
  private readonly free: ArrayBuffer[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly timeoutMs: number;
  private readonly inputSize: number;
  private readonly maxBatchSize: number;
  private next = 0;
  private closed = false;

  constructor(network: Network, options: ForwardPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`a pool needs at least 1 worker, got ${options.workers}`);
    this.size = options.workers;
    this.maxInFlight = Math.max(options.maxInFlight ?? 2 * options.workers, 1);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.inputSize = network.inputSize;
    this.maxBatchSize = options.maxBatchSize;
    this.layout = slotLayout(network.inputSize, options.maxBatchSize);
    this.busy = new Array<number>(this.size).fill(0);
    this.ready = new Array<boolean>(this.size).fill(false);
    for (let i = 0; i < this.maxInFlight; i++) this.free.push(new ArrayBuffer(this.layout.bytes));
    const { entry, threadSource } = options;
    for (let i = 0; i < this.size; i++) {
      const worker = entry !== undefined ? spawnThread('forward-worker', entry) : threadSource?.take('forward-worker') ?? spawnThread('forward-worker');
      const { port1, port2 } = new MessageChannel();
      const transfer: ArrayBuffer[] = [];
      const init: WorkerInit = {
        network: copyForTransfer(network, transfer),
        kernel: options.kernel,
        normalize: options.normalize,
        maxBatchSize: options.maxBatchSize,
        port: port2,
        signal: this.signal.buffer as SharedArrayBuffer,
      };
      worker.postMessage(init, [port2, ...transfer]);
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Batches sent and not yet released: running, queued, or done and waiting to be emitted. */
  get inFlight(): number {
    return this.maxInFlight - this.free.length;
  }

  /** Whether a ready worker has nothing to do. */
  hasIdleWorker(): boolean {
    for (let w = 0; w < this.size; w++) if (this.ready[w] && this.busy[w] === 0) return true;
    return false;
  }

  /** A free slot to keep a batch's answer in, without sending it (give it back with `release`). */
  takeSlot(): ArrayBuffer {
    const slot = this.free.pop();
    if (slot === undefined) throw new Error('forward pool: no free slot');
    return slot;
  }

  /** Workers that have built their kernel and said so (`receive` takes note). */
  get readyWorkers(): number {
    return this.readyCount;
  }

  /**
   * Sends `count` images to the least busy worker that is ready (any, if none is yet), in a free
   * slot (call only when inFlight < maxInFlight).
   */
  dispatch(seq: number, pixels: Uint8Array, count: number): void {
    if (count > this.maxBatchSize) throw new RangeError(`batch of ${count} images exceeds ${this.maxBatchSize}`);
    const slot = this.free.pop();
    if (slot === undefined) throw new Error('forward pool: no free slot');
    new Uint8Array(slot, 0, count * this.inputSize).set(pixels.subarray(0, count * this.inputSize));
    let w = -1;
    for (let i = 0; i < this.size; i++) {
      if ((this.ready[i] || this.readyCount === 0) && (w < 0 || this.busy[i] < this.busy[w])) w = i;
    }
    this.busy[w]++;
    this.owner.set(seq, w);
    const job: WorkerJob = { seq, count, buffer: slot };
    this.workers[w].postMessage(job, [slot]);
  }

  /** A finished batch, or undefined if none is ready and `block` is false. Throws a worker's error. */
  receive(block: boolean): PoolResult | undefined {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      for (let i = 0; i < this.size; i++) {
        const w = (this.next + i) % this.size;
        const message = receiveMessageOnPort(this.ports[w])?.message as WorkerReply | undefined;
        if (message === undefined) continue;
        this.next = (w + 1) % this.size;
        if (message.error !== undefined) throw new Error(message.error);
        if (message.ready) {
          this.ready[w] = true;
          this.readyCount++;
          i = -1; // look at every port again
          continue;
        }
        this.busy[this.owner.get(message.seq)!]--;
        this.owner.delete(message.seq);
        return { seq: message.seq, slot: message.buffer, started: message.started, finished: message.finished };
      }
      if (!block) return undefined;
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.signal, 0, seen, left) === 'timed-out') {
        throw new Error(`forward pool: no worker answered within ${this.timeoutMs} ms`);
      }
    }
  }

  /** Gives a slot back once its batch has been emitted downstream. */
  release(slot: ArrayBuffer): void {
    this.free.push(slot);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const port of this.ports) port.close();
    for (const worker of this.workers) void worker.terminate();
  }
}
