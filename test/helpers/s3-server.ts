/**
 * A local S3 server for the remote-source tests: s3rver on 127.0.0.1 (its own folder, removed on
 * close) with one bucket, the given objects put into it with the AWS SDK, behind a RangeServer
 * proxy that records the requests and injects faults. `env` is what a child process needs to
 * reach it: the endpoint and s3rver's fixed credentials.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: s3rver ships no types.
import S3rver from 's3rver';
import { startRangeServer, type RangeServer } from './range-server.js';

export const BUCKET = 'mnist';

export interface S3Server {
  readonly env: Record<string, string>;
  /** The proxy in front of s3rver: its `served` and `faults`. */
  readonly proxy: RangeServer;
  close(): Promise<void>;
}

export async function startS3Server(objects: Record<string, Buffer>): Promise<S3Server> {
  // The SDK's notice that its 2027 releases will need Node 22 is not the tests' business.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const { port } = (await s3rver.run()) as AddressInfo;
  const proxy = await startRangeServer({}, { proxyTo: `http://127.0.0.1:${port}` });
  const env = { AWS_ENDPOINT_URL_S3: proxy.origin, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  for (const [key, body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  client.destroy();
  return {
    env,
    proxy,
    close: async () => {
      await proxy.close();
      await s3rver.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
