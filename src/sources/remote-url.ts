/**
 * Data paths that name a remote object rather than a file: `https://…`, `http://…` and
 * `s3://bucket/key`. They are read by Range requests (open-remote.ts), never written to.
 */

/** True when `path` is an http(s):// or s3:// URL. */
export const isRemote = (path: string): boolean => /^(https?|s3):\/\//i.test(path);
