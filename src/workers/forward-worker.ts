/**
 * A forward-pass worker: receives the network once, builds its kernel, then answers each batch.
 * A batch comes as a transferred ArrayBuffer (a pool slot): its pixels at the start, and room
 * after them for the predictions, which the worker writes before sending the slot back on its
 * port. It then bumps the shared counter, so a main thread blocked in `Atomics.wait` wakes up.
 */
import { parentPort } from 'node:worker_threads';
import { createForwardKernel, type ForwardKernel } from '../kernels/forward-kernel.js';
import { slotLayout, type WorkerInit, type WorkerJob, type WorkerReply } from './protocol.js';

const now = (): number => performance.timeOrigin + performance.now();

function serve(init: WorkerInit, parent: NonNullable<typeof parentPort>): void {
  const signal = new Int32Array(init.signal);
  const reply = (message: WorkerReply, transfer: ArrayBuffer[]): void => {
    init.port.postMessage(message, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let kernel: ForwardKernel;
  try {
    kernel = createForwardKernel(init.network, init.kernel, { normalize: init.normalize, maxBatchSize: init.maxBatchSize });
  } catch (error) {
    reply({ seq: -1, error: `forward worker could not start: ${(error as Error).message}` }, []);
    return;
  }
  // Run the kernel a few times on a made-up batch, so the first real ones find its code optimised.
  // A convnet's image costs thousands of an MLP's: one image is warm-up enough, where five batches
  // would take much of what the worker brings to a run of 10,000.
  const convnet = init.network.layers.some((layer) => layer.kind === 'convolution');
  const [rounds, count] = convnet ? [1, 1] : [5, init.maxBatchSize];
  const warm = new Uint8Array(count * init.network.inputSize).fill(1);
  for (let i = 0; i < rounds; i++) kernel.forward(warm, count);
  reply({ seq: -1, ready: true }, []);
  const layout = slotLayout(init.network.inputSize, init.maxBatchSize);
  parent.on('message', (job: WorkerJob) => {
    const started = now();
    try {
      const pixels = new Uint8Array(job.buffer, 0, job.count * init.network.inputSize);
      const { predicted, confidence } = kernel.forward(pixels, job.count);
      new Int32Array(job.buffer, layout.predicted, job.count).set(predicted);
      new Float32Array(job.buffer, layout.confidence, job.count).set(confidence);
      reply({ seq: job.seq, buffer: job.buffer, started, finished: now() }, [job.buffer]);
    } catch (error) {
      reply({ seq: job.seq, error: (error as Error).message }, []);
    }
  });
}

if (parentPort !== null) {
  const parent = parentPort;
  parent.once('message', (init: WorkerInit) => serve(init, parent));
}
