/** The part of jsfive 0.4 (which ships no types) that the HDF5 wrapper uses. */
declare module 'jsfive' {
  export class Group {
    readonly name: string;
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    /** Each member's link: the address of its object header (a hard link), or a path (a soft link). */
    readonly _links: Record<string, number | string>;
    /** Its object header, `offset` its address in the file. */
    readonly _dataobjects: { readonly offset: number };
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
