/**
 * The object stores the README's "Remote sources" example reads from, started on 127.0.0.1 for
 * test/readme/readme.test.ts: an HTTP server (range-server.ts) for `https://data.example.org/mnist/…`,
 * which the harness rewrites to `$README_HTTP/…`, and s3rver (s3-server.ts) for `s3://mnist/…`,
 * reached through AWS_ENDPOINT_URL_S3 as any S3-compatible store is. Both serve the README's
 * stand-in for its large files (big-images.gz and big-labels.gz), the S3 copies raw, so that a
 * shard is read by Range.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startRangeServer } from './range-server.js';
import { startS3Server } from './s3-server.js';

export interface ReadmeRemotes {
  /** What a README command needs in its environment: README_HTTP, the S3 endpoint and its keys. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Serves `dir`'s big-images.gz and big-labels.gz over HTTP (as they are) and S3 (raw IDX). */
export async function startReadmeRemotes(dir: string): Promise<ReadmeRemotes> {
  const images = readFileSync(join(dir, 'big-images.gz'));
  const labels = readFileSync(join(dir, 'big-labels.gz'));
  const http = await startRangeServer({ 'mnist/big-images.gz': images, 'mnist/big-labels.gz': labels });
  const s3 = await startS3Server({ 'big-images-idx3-ubyte': gunzipSync(images), 'big-labels-idx1-ubyte': gunzipSync(labels) });
  return {
    env: { README_HTTP: `${http.origin}/mnist`, ...s3.env },
    close: async () => {
      await http.close();
      await s3.close();
    },
  };
}
