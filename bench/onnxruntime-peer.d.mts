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
