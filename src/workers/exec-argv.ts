/**
 * The parent's Node options less tsx's loader, for a compiled worker: loading tsx would add some
 * 100 ms to each worker's start (a worker of the TypeScript sources registers tsx itself, from a
 * small .mjs entry, since Node does not carry tsx's loader into worker threads).
 */
export function workerExecArgv(): string[] {
  const argv: string[] = [];
  const all = process.execArgv;
  for (let i = 0; i < all.length; i++) {
    if (/^(--require|-r|--import|--loader|--experimental-loader)$/.test(all[i]) && all[i + 1]?.includes('tsx')) i++;
    else if (!(all[i].startsWith('--') && all[i].includes('tsx'))) argv.push(all[i]);
  }
  return argv;
}

/** A worker's entry beside `here` (an import.meta.url): `name`.js when compiled, `name`-tsx.mjs from the sources. */
export function workerUrl(here: string, name: string): URL {
  return new URL(here.endsWith('.ts') ? `./${name}-tsx.mjs` : `./${name}.js`, here);
}
