/** Where a path really is (`placeOf`), and the checks `checkPlaces` makes with it, on their own. */
import test from 'ava';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { checkPlaces, placeOf } from '../../src/outputs/output-places.js';

async function scratch(t: import('ava').ExecutionContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mnist-eval-places-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

test('placeOf: the real path of the nearest existing folder, then the missing rest; the last name is not followed', async (t) => {
  const folder = await scratch(t);
  await mkdir(join(folder, 'real'));
  await symlink('real', join(folder, 'link'));
  await writeFile(join(folder, 'real', 'target'), '');
  await symlink('target', join(folder, 'real', 'alias'));
  const real = await placeOf(join(folder, 'real'));
  t.is(await placeOf(join(folder, 'link', 'r.json')), join(real, 'r.json'));
  t.is(await placeOf(join(folder, 'link', 'new', 'deeper', 'r.json')), join(real, 'new', 'deeper', 'r.json'));
  t.is(await placeOf(join(folder, 'link', 'alias')), join(real, 'alias'), 'the link itself, which a rename replaces');
  t.is(await placeOf('/nonexistent-root-folder/x'), '/nonexistent-root-folder/x');
});

test('checkPlaces: - is standard output and never meets a file; unlabelled outputs keep the short message', async (t) => {
  const folder = await scratch(t);
  await checkPlaces([{ path: '-', as: '--report' }, { path: join(folder, 'a'), as: '--mosaic' }], [{ path: '-', as: '--images' }]);
  await mkdir(join(folder, 'real'));
  await symlink('real', join(folder, 'link'));
  await t.throwsAsync(checkPlaces([join(folder, 'real', 'x'), join(folder, 'link', 'x')]), {
    instanceOf: InputError,
    message: `${join(folder, 'link', 'x')}: given for two different outputs (also as ${join(folder, 'real', 'x')}), expected distinct paths`,
  });
});

test('checkPlaces: an input read through a link is found by the file it leads to', async (t) => {
  const folder = await scratch(t);
  await writeFile(join(folder, 'w.pkl'), 'weights');
  await symlink(join(folder, 'w.pkl'), join(folder, 'current.pkl'));
  await t.throwsAsync(checkPlaces([{ path: join(folder, 'w.pkl'), as: '--report' }], [{ path: join(folder, 'current.pkl'), as: '--weights' }]), {
    instanceOf: InputError,
    message: `${join(folder, 'w.pkl')}: given as --report, but it is an input (--weights ${join(folder, 'current.pkl')}); an output must not replace an input`,
  });
});
