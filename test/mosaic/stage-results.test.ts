import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { PNG } from 'pngjs';
import { stageResults } from '../../pipelines/stage-outputs.js';
import { OutputSet } from '../../src/outputs/output-set.js';
import { renderMosaic, type Mosaic } from '../../src/mosaic/render-mosaic.js';
import type { Report } from '../../src/types.js';
import { noiseTiles } from './helpers.js';

/** Staged results whose mosaic counts the times it is rendered. */
function results(): { staged: Parameters<typeof stageResults>[2]; renders: () => number } {
  const tiles = noiseTiles(3);
  let renders = 0;
  const mosaic = (): Mosaic => {
    renders++;
    return renderMosaic(tiles, { rows: 28, cols: 28, header: { total: 10, misclassified: 3, shown: 3 } });
  };
  const report = { total: 10, misclassified: 3 } as unknown as Report;
  return { staged: { report, reportJson: () => '{}\n', mosaic, tiles, rows: 28, cols: 28 }, renders: () => renders };
}

test('without --mosaic and --html the mosaic is not rendered or encoded, and no PNG is written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { staged, renders } = results();
  const outputs = new OutputSet();
  await stageResults(outputs, { report: join(dir, 'report.json') }, staged);
  t.deepEqual(outputs.paths, [join(dir, 'report.json')]);
  await outputs.commit();
  t.is(renders(), 0);
  t.deepEqual(readdirSync(dir), ['report.json']);
});

test('with --mosaic it is rendered once, its PNG and tile index staged before the report, in that order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { staged, renders } = results();
  const outputs = new OutputSet();
  const paths = { report: join(dir, 'report.json'), mosaic: join(dir, 'errors.png') };
  await stageResults(outputs, paths, staged);
  t.deepEqual(outputs.paths, [paths.mosaic, join(dir, 'errors.tiles.json'), paths.report]);
  await outputs.commit();
  t.is(renders(), 1);
  const expected = renderMosaic(staged.tiles, { rows: 28, cols: 28, header: { total: 10, misclassified: 3, shown: 3 } });
  t.true(Buffer.from(expected.data).equals(PNG.sync.read(readFileSync(paths.mosaic)).data), 'the PNG decodes to the mosaic');
  t.true(existsSync(join(dir, 'errors.tiles.json')));
});

test('a failing mosaic fails the staging, and abort leaves nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { staged } = results();
  const outputs = new OutputSet();
  const failing = { ...staged, mosaic: (): Mosaic => ({ width: 2, height: 2, data: new Uint8Array(3), placements: [] }) };
  await t.throwsAsync(stageResults(outputs, { report: join(dir, 'r.json'), mosaic: join(dir, 'm.png') }, failing), { instanceOf: RangeError, message: /image data size does not match/ });
  await outputs.abort();
  t.deepEqual(readdirSync(dir), []);
});
