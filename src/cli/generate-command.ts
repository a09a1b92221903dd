/**
 * `mnist-eval generate …`: options → the generator → exit code 0; its errors (usage, input,
 * interruption through `signal`) reach main's handler like the run's.
 */
import { GENERATE_USAGE, parseGenerateOptions } from './generate-options.js';
import { createProgress, type Progress } from './progress.js';

/** Where the command writes (main's CliIo; declared here too, as main imports this module). */
interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function generateCommand(argv: readonly string[], io: Io, signal?: AbortSignal): Promise<number> {
  const options = parseGenerateOptions(argv);
  if (options.help) {
    io.stdout.write(GENERATE_USAGE);
    return 0;
  }
  const started = performance.now();
  const { runGenerate } = await import('../../pipelines/generate-dataset.js');
  let progress: Progress | undefined;
  const onProgress = (done: number, total: number) => {
    progress ??= createProgress({ total, stream: io.stderr as NodeJS.WriteStream, enabled: !options.quiet });
    progress.update(done);
  };
  const files = await runGenerate(options, { onProgress, signal }).finally(() => progress?.finish());
  if (!options.quiet) {
    io.stderr.write(`wrote ${files.images} and ${files.labels} (${files.count} images) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return 0;
}
