/**
 * A network's forward pass laid out in the WebAssembly module's memory as a plan: plain data (byte addresses and sizes), so the main thread and its helper
 * threads run the same plan on the same shared memory, each over its own rows of the batch.
 */
import type { KernelBuild, KernelExports } from '../wasm/module.js';

/** One layer's call, with the byte addresses of its operands for row 0. */
export type Op =
  | { readonly op: 'pixels'; readonly inner: number; readonly table: number; readonly W: number; readonly b: number; readonly y: number; readonly stride: number }
  | { readonly op: 'affine'; readonly x: number; readonly inner: number; readonly xStride: number; readonly W: number; readonly b: number; readonly y: number; readonly stride: number }
  | { readonly op: 'sigmoid' | 'relu'; readonly a: number; readonly stride: number }
  | { readonly op: 'softmax' | 'argmax'; readonly y: number; readonly cols: number; readonly stride: number };

export interface Plan {
  /** The batch's pixels: maxBatchSize × inputSize bytes. */
  readonly pixels: number;
  readonly inputSize: number;
  readonly predicted: number;
  readonly confidence: number;
  readonly ops: readonly Op[];
}

/**
 * Runs rows [r0, r1) of the batch through every layer, with `nz` as this thread's scratch (the
 * first layer's list of nonzero pixels). Rows are independent, and each output is the same sum
 * whichever of the kernel's tiles computes it, so threads on disjoint rows need no
 * synchronisation until the batch ends and give the bits one thread would.
 */
export function runRows(k: KernelExports, plan: Plan, nz: number, r0: number, r1: number): void {
  const rows = r1 - r0;
  for (const op of plan.ops) {
    switch (op.op) {
      case 'pixels':
        k.affinePixels(plan.pixels + r0 * op.inner, rows, op.inner, op.table, op.W, op.b, op.y + r0 * op.stride * 4, op.stride, nz);
        break;
      case 'affine':
        k.affine(op.x + r0 * op.xStride * 4, rows, op.inner, op.xStride, op.W, op.b, op.y + r0 * op.stride * 4, op.stride);
        break;
      case 'sigmoid':
        k.sigmoidInPlace(op.a + r0 * op.stride * 4, rows * op.stride);
        break;
      case 'relu':
        k.reluInPlace(op.a + r0 * op.stride * 4, rows * op.stride);
        break;
      case 'softmax':
        k.softmaxArgmax(op.y + r0 * op.stride * 4, rows, op.cols, op.stride, plan.predicted + r0 * 4, plan.confidence + r0 * 4);
        break;
      case 'argmax':
        k.argmaxRows(op.y + r0 * op.stride * 4, rows, op.cols, op.stride, plan.predicted + r0 * 4, plan.confidence + r0 * 4);
        break;
    }
  }
}

/** A helper thread's control block: Int32 slots in the shared memory. */
export const CTL = {
  /** Job number, bumped by the main thread to post a job (the helper waits on it). */
  JOB: 0,
  /** Rows [FROM, TO) of the job. */
  FROM: 1,
  TO: 2,
  /** Job number of the last job done (the main thread waits on it). */
  DONE: 3,
  /** 1 once the helper has its instance. */
  READY: 4,
  /** 1 tells the helper to end. */
  STOP: 5,
  /** 1 if a job threw. */
  FAILED: 6,
  SIZE: 8,
} as const;

/** What a helper thread is started with. */
export interface HelperInit {
  /** The module the main thread runs, so that every thread computes the same bits. */
  readonly build: KernelBuild;
  readonly memory: WebAssembly.Memory;
  readonly plan: Plan;
  /** This helper's scratch for the gathered pixels. */
  readonly nz: number;
  /** Byte address of its control block. */
  readonly control: number;
}
