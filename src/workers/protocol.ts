/** The messages between the forward pool and its workers, and the layout of a pool slot. */
import type { MessagePort } from 'node:worker_threads';
import type { KernelName } from '../kernels/forward-kernel.js';
import type { Network } from '../nn/network.js';

/** Sent once, first: the weights travel as transferred copies, the port and counter for replies. */
export interface WorkerInit {
  readonly network: Network;
  readonly kernel: KernelName;
  readonly normalize: boolean;
  readonly maxBatchSize: number;
  readonly port: MessagePort;
  /** An Int32Array's SharedArrayBuffer: the worker adds 1 after each reply and notifies. */
  readonly signal: SharedArrayBuffer;
}

/** One batch: `count` images at the start of `buffer` (a transferred slot). */
export interface WorkerJob {
  readonly seq: number;
  readonly count: number;
  readonly buffer: ArrayBuffer;
}

/**
 * The slot back with the predictions in it, and when the work started and finished (epoch ms);
 * or, once, `ready` when the kernel is built; or an error (seq -1: the worker could not start).
 */
export type WorkerReply =
  | { readonly seq: number; readonly buffer: ArrayBuffer; readonly started: number; readonly finished: number; readonly error?: undefined; readonly ready?: undefined }
  | { readonly seq: -1; readonly ready: true; readonly error?: undefined }
  | { readonly seq: number; readonly error: string; readonly ready?: undefined };

/** Byte offsets in a slot: pixels, then the predicted classes (i32), then their probabilities (f32). */
export function slotLayout(inputSize: number, maxBatchSize: number): { predicted: number; confidence: number; bytes: number } {
  const predicted = (maxBatchSize * inputSize + 3) & ~3;
  const confidence = predicted + maxBatchSize * 4;
  return { predicted, confidence, bytes: confidence + maxBatchSize * 4 };
}
