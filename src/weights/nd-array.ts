/** The numeric dtypes a weight file may hold. Data is kept in its own precision. */
export type FloatDtype = 'float32' | 'float64';

/**
 * An n-dimensional array read from a weight file, always in C (row-major) order:
 * loaders transpose Fortran-ordered arrays once, at load.
 */
export interface NdArray {
  readonly shape: readonly number[];
  readonly dtype: FloatDtype;
  readonly data: Float32Array | Float64Array;
}

/** Named arrays of one weight file, in the order the file lists them. */
export type WeightArrays = Map<string, NdArray>;
