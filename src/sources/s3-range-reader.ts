/**
 * Range requests to an `s3://bucket/key` object through the AWS SDK v3 client: the endpoint
 * from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (then path-style addressing, which S3-compatible
 * servers need), credentials and region from the SDK's usual chain, checksums only when an
 * operation requires them. The SDK's own retries are off: the resuming stream retries, from the
 * byte it got to. The SDK loads on the first s3:// read, so runs on files never pay for it.
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../errors.js';
import { networkError } from './network-error.js';
import { parseContentRange, rangeHeader, TransientError, type RangeReader, type RangeRequest, type RangeResponse } from './range-reader.js';

/** `s3://bucket/key` as its bucket and key; an InputError when either is missing. */
export function s3Location(url: string): { readonly bucket: string; readonly key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/i.exec(url);
  if (match === null) throw new InputError(url, 'expected s3://bucket/key');
  return { bucket: match[1], key: match[2] };
}

/**
 * The SDK, loaded from node_modules when first needed. The name is a variable so that esbuild
 * leaves the import to run time instead of putting the SDK (megabytes) in the CLI's bundle.
 */
const SDK = '@aws-sdk/client-s3';
const loadSdk = (): Promise<typeof import('@aws-sdk/client-s3')> => {
  // The SDK warns on Node 20 that its releases after January 2027 will need Node 22: news about
  // the SDK, not about the run, printed into the middle of its one-line errors. The pinned release
  // runs on Node 20; a user who sets the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return import(SDK);
};

/** The client for s3:// reads, made from the environment as the AWS CLI reads it. */
async function s3Client(env: NodeJS.ProcessEnv): Promise<S3Client> {
  const { S3Client } = await loadSdk();
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  return new S3Client({
    endpoint,
    forcePathStyle: endpoint !== undefined,
    // The SDK needs a region even for an endpoint that ignores it.
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint === undefined ? undefined : 'us-east-1'),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    // A store that stops answering fails the request (transient) instead of holding the run.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
  });
}

/** The reader of `url`'s bytes by Range; one client for all its requests. */
export function s3RangeReader(url: string, env: NodeJS.ProcessEnv = process.env): RangeReader {
  const { bucket, key } = s3Location(url);
  let client: Promise<S3Client> | undefined;
  return async (request) => {
    client ??= s3Client(env);
    const { GetObjectCommand } = await loadSdk();
    const whole = request.start === 0 && request.end === undefined;
    try {
      const output = await (await client).send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: whole ? undefined : rangeHeader(request) }), { abortSignal: request.signal });
      return checked(url, output, request);
    } catch (error) {
      throw s3Error(url, error, request);
    }
  };
}

interface GetObjectOutput {
  readonly Body?: unknown;
  readonly ContentLength?: number;
  readonly ContentRange?: string;
  readonly ETag?: string;
  readonly LastModified?: Date;
}

function checked(url: string, output: GetObjectOutput, request: RangeRequest): RangeResponse {
  const body = output.Body as Readable;
  const validator = output.ETag ?? output.LastModified?.toUTCString();
  if (request.start === 0 && request.end === undefined) return { body, length: output.ContentLength, size: output.ContentLength, validator };
  const range = parseContentRange(output.ContentRange);
  if (range === undefined || range.first !== request.start) {
    body.destroy();
    throw new InputError(url, `S3 answered ${rangeHeader(request)} with Content-Range '${output.ContentRange ?? ''}'`);
  }
  return { body, length: output.ContentLength, size: range.size, validator };
}

/** The SDK's error as `HTTP 404 Not Found (NoSuchKey)`, transient for 5xx and throttling. */
function s3Error(url: string, error: unknown, request: RangeRequest): Error {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined || !(error instanceof Error)) return networkError(url, error);
  const problem = `HTTP ${status} ${STATUS_CODES[status] ?? ''} (${error.name})`;
  if (status >= 500 || status === 429 || status === 408 || error.name === 'SlowDown') return new TransientError(problem, { cause: error });
  return new InputError(url, status === 416 ? `${problem}, ${rangeHeader(request)}` : problem);
}
