import { OutputSet, type FileData } from './output-set.js';

/** Writes `files` (path → data) together: all of them appear, or none. Returns the paths written. */
export async function writeOutputs(files: ReadonlyArray<readonly [string, FileData]>): Promise<string[]> {
  const outputs = new OutputSet();
  try {
    for (const [path, data] of files) await outputs.stage(path, data);
    return await outputs.commit();
  } catch (error) {
    await outputs.abort();
    throw error;
  }
}
