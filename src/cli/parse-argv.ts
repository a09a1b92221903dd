/** argv → parsed flags for both commands, with node:util's parseArgs; its errors become usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

/** The flags every command takes. */
export const COMMON_FLAGS = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Strict parsing (unknown flags are errors); `prefix` names the subcommand in the message. */
type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options, P extends boolean> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: P; options: T }>>;

export function parseArgv<T extends Options, P extends boolean>(argv: readonly string[], options: T, allowPositionals: P, prefix = ''): Parsed<T, P> {
  try {
    return parseArgs({ args: withNegativeValues(argv, options), strict: true, allowPositionals, options });
  } catch (error) {
    throw new UsageError(`${prefix}${String((error as Error).message).split('\n')[0]}`);
  }
}

/**
 * `--offset -5` as `--offset=-5`: parseArgs reads a value that starts with a dash as a flag and
 * says "argument is ambiguous"; joined, the value reaches the option's own check, which names it.
 */
function withNegativeValues(argv: readonly string[], options: Options): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...args, ...argv.slice(i)];
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      args.push(`--${name}=${next}`);
      i++;
    } else {
      args.push(argv[i]);
    }
  }
  return args;
}

/** Refuses `--name ''` for each of `names` that is a path. */
export function requirePaths(values: Record<string, unknown>, names: readonly string[], prefix = ''): void {
  for (const name of names) {
    if (values[name] === '') throw new UsageError(`${prefix}--${name} needs a path`);
  }
}
