import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModelCatalog } from '../../../../../common/model/store/catalog.ts';
import type { ParsedRecord } from '../../../../../common/model/store/records.ts';

const chunk = (modelKey: string, version: number, index = 0, total = 1): ParsedRecord => ({
  type: 'chunk',
  chunk: { modelKey, version, index, total, checksum: `c${version}`, size: 1, bytes: Buffer.from([version, index]) },
});
const pointer = (modelKey: string, version: number): ParsedRecord => ({ type: 'current', pointer: { modelKey, version, reason: 'promoted', at: 0 } });

describe('model catalog', () => {
  const rows: { name: string; records: ParsedRecord[]; refused?: number[]; candidates: number[]; highest: number }[] = [
    { name: 'newest first without a pointer', records: [chunk('k', 1), chunk('k', 2)], candidates: [2, 1], highest: 2 },
    { name: 'the pointer first (rollback)', records: [chunk('k', 1), chunk('k', 2), pointer('k', 1)], candidates: [1, 2], highest: 2 },
    { name: 'an incomplete version is not a candidate', records: [chunk('k', 1), chunk('k', 2, 0, 2), pointer('k', 2)], candidates: [1], highest: 2 },
    { name: 'refused versions are left out', records: [chunk('k', 1), chunk('k', 2), pointer('k', 2)], refused: [2], candidates: [1], highest: 2 },
    { name: 'a pointer alone counts toward the next version', records: [pointer('k', 7)], candidates: [], highest: 7 },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const c = createModelCatalog();
      for (const rec of r.records) c.apply(rec);
      assert.deepEqual(c.candidates('k', new Set(r.refused ?? [])), r.candidates);
      assert.equal(c.highestVersion('k'), r.highest);
    });
  }

  it('reports the key when an artifact completes or a pointer arrives, null for a partial chunk', () => {
    const c = createModelCatalog();
    assert.equal(c.apply(chunk('a', 1, 0, 2)), null);
    assert.equal(c.apply(chunk('a', 1, 1, 2)), 'a');
    assert.equal(c.apply(pointer('b', 1)), 'b');
    assert.deepEqual(c.keys(), ['a', 'b']);
    assert.deepEqual(c.artifact('a', 1)?.bytes, Buffer.from([1, 0, 1, 1]));
  });

  it('keeps a bounded number of versions in memory, but always the pointer’s', () => {
    const c = createModelCatalog({ keepVersions: 2 });
    c.apply(chunk('k', 1));
    c.apply(pointer('k', 1));
    for (const v of [2, 3, 4]) c.apply(chunk('k', v));
    assert.deepEqual(c.versions('k'), [1, 3, 4]);
  });
});
