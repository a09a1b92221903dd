/** The part of jsfive 0.4 (which ships no types) that the HDF5 wrapper uses. */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename: string);
  }
  export class Dataset {
    readonly name: string;
    readonly shape: number[];
    /** A numpy-like type string (`<f4`) for simple types, an array for compound ones. */
    readonly dtype: string | unknown[];
    readonly attrs: Record<string, unknown>;
    readonly value: ArrayLike<number>;
    readonly _dataobjects: { readonly filter_pipeline: unknown };
  }
}
