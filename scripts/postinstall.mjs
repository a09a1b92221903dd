#!/usr/bin/env node
// `npm install`'s postinstall step: scripts/prepare-data.ts writes the gzip copies of the MNIST
// test set into data/. In a checkout (where the .ts is, and tsx among the devDependencies) it runs
// through tsx; an installed package ships neither, only the compiled
// dist/scripts/prepare-data.js that `prepare` built before packing.
import { existsSync } from 'node:fs';

const source = new URL('./prepare-data.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/scripts/prepare-data.js', import.meta.url).href);
}
