import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createModelCache, dirToKey, keyToDir } from '../../../../../common/model/store/cache.ts';

describe('model cache', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fresh = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'sw-cache-'));
    dirs.push(d);
    return d;
  };

  for (const key of ['default', 'pumps/north', '../escape', 'a b%c', '.hidden']) {
    it(`maps model key '${key}' to a safe directory name and back`, () => {
      const d = keyToDir(key);
      assert.match(d, /^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
      assert.equal(dirToKey(d), key);
    });
  }

  it('writes, lists and reads versions; tracks the current one; leaves no temp files', async () => {
    const cache = createModelCache(await fresh());
    assert.deepEqual(await cache.keys(), []);
    assert.equal(await cache.read('k', 1), null);
    assert.equal(await cache.current('k'), null);
    await cache.write('pumps/north', 2, Buffer.from('two'));
    await cache.write('pumps/north', 10, Buffer.from('ten'));
    await cache.write('pumps/north', 2, Buffer.from('two again'));
    await cache.setCurrent('pumps/north', 2);
    assert.deepEqual(await cache.keys(), ['pumps/north']);
    assert.deepEqual(await cache.versions('pumps/north'), [2, 10]);
    assert.equal((await cache.read('pumps/north', 2))?.toString(), 'two again');
    assert.equal(await cache.current('pumps/north'), 2);
    const files = await readdir(join(cache.dir, keyToDir('pumps/north')));
    assert.ok(files.every((f) => !f.startsWith('.tmp')), files.join(','));
  });
});
