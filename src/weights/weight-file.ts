/**
 * What every weight-file reader gives back, whatever the format: the named arrays (float32 or
 * float64, C order, widened from float16/bfloat16 where the file stores those), and, when the file
 * describes its own network (an ONNX graph, a Keras config), that network as a model description
 * over those arrays. `src/model/` turns either into the one `Network` the kernels run.
 */
import type { ModelSpec } from '../model/model-spec.js';
import type { WeightFormat } from '../types.js';
import type { WeightArrays } from './nd-array.js';

export interface WeightFile {
  readonly format: WeightFormat;
  readonly arrays: WeightArrays;
  /** The network the file itself describes (ONNX, `.keras`, legacy `.h5`), over `arrays`. */
  readonly spec?: ModelSpec;
  /**
   * How a file without a description stores its 2-D weights: `in-out` (the book, Keras: y = x·W)
   * or `out-in` (a torch `Linear`: y = x·Wᵀ), for inferring an MLP or mapping a preset.
   */
  readonly matrices: 'in-out' | 'out-in';
  /**
   * What the file says of the framework that wrote it, for the report: e.g. `torch_version`,
   * `keras_version`, `producer`, `opset`, safetensors' `__metadata__` entries. Strings only,
   * at most 32 entries of at most 200 characters each (readers cut the rest).
   */
  readonly metadata: Readonly<Record<string, string>>;
}

/** What a reader of one format is given: the whole file, its path, and its name for messages. */
export interface WeightSource {
  readonly bytes: Uint8Array;
  readonly path: string;
  readonly file: string;
}
