/**
 * Node options for a worker: none. A compiled worker needs none, a worker of the TypeScript
 * sources registers tsx itself (from a small .mjs entry: Node does not carry tsx's loader into
 * worker threads, and loading it would add some 100 ms to each start), and Worker refuses the
 * V8 and process-wide flags a parent may have been started with (`--no-liftoff`, …).
 */
export function workerExecArgv(): string[] {
  return [];
}

/** A worker's entry beside `here` (an import.meta.url): `name`.js when compiled, `name`-tsx.mjs from the sources. */
export function workerUrl(here: string, name: string): URL {
  return new URL(here.endsWith('.ts') ? `./${name}-tsx.mjs` : `./${name}.js`, here);
}
