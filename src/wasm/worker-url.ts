/**
 * A worker's entry beside `here` (an import.meta.url): `name`.js when compiled (tsc or the
 * bundle), `name`-tsx.mjs from the TypeScript sources, which registers tsx in the thread itself
 * (Node does not carry tsx's loader into worker threads). It sits in the base layer because
 * threads are started from two layers: the forward pass's (`src/workers/`) and the HDF5 reader's
 * (`src/weights/keras/`).
 */
export function workerUrl(here: string, name: string): URL {
  return new URL(here.endsWith('.ts') ? `./${name}-tsx.mjs` : `./${name}.js`, here);
}
