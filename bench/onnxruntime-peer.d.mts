/** Types of bench/onnxruntime-peer.mjs (plain JavaScript, so that the bench spawns it without a TypeScript loader). */
export declare const BATCH_SIZE: number;
export declare function readIdxGz(path: string, magic: number): { dims: number[]; data: Uint8Array };
export interface OnnxEvaluation {
  readonly predicted: Uint8Array;
  readonly top1: Float32Array;
  readonly correct: number;
  readonly images: number;
  readonly forwardMs: number;
  readonly warmMs: number[];
}
export declare function evaluateOnnx(modelPath: string, imagesGz: string, labelsGz: string, options?: { limit?: number; passes?: number }): Promise<OnnxEvaluation>;
export interface OnnxPeer {
  readonly inputName: string;
  readonly outputName: string;
  readonly shape: number[];
  readonly session: { release(): Promise<void> };
}
export declare function openSession(modelPath: string): Promise<OnnxPeer>;
export declare function scaledPixels(pixels: Uint8Array): Float32Array;
export declare function predictAll(peer: OnnxPeer, x: Float32Array, count: number): Promise<{ predicted: Uint8Array; top1: Float32Array; ms: number }>;
