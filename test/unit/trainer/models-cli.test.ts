import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { serialiseArtifact } from '../../../common/model/artifact.ts';
import { initBackend } from '../../../common/model/backend.ts';
import { createModelCatalog, type ModelCatalog } from '../../../common/model/store/catalog.ts';
import { catalogRows, formatRows, previousVersion, showable } from '../../../trainer/models-cli.ts';
import { trainSmall } from '../common/model/synthetic.ts';

describe('models list / rollback (pure parts)', () => {
  let catalog: ModelCatalog;
  let bytes: Buffer;
  before(async () => {
    await initBackend('wasm');
    catalog = createModelCatalog();
    for (const version of [1, 2, 3]) {
      const r = await trainSmall({ version, epochs: 1 });
      bytes = await serialiseArtifact(r.model);
      r.model.dispose();
      const body = version === 2 ? Buffer.from(bytes).fill(0, 50, 60) : bytes; // v2 is corrupt
      catalog.apply({ type: 'chunk', chunk: { modelKey: 'default', version, index: 0, total: 1, checksum: String(version), size: body.length, bytes: body } });
    }
  });
  after(() => assert.equal(tf.memory().numTensors, 0));

  it('lists every version, marks the newest in force, and shows a corrupt one as INVALID with its error', () => {
    const rows = catalogRows(catalog);
    assert.deepEqual(rows.map((r) => [r.version, r.current, r.meta?.version ?? null]), [[1, false, 1], [2, false, null], [3, true, 3]]);
    assert.match(rows[1]?.error ?? '', /checksum mismatch/);
    const text = formatRows(rows);
    assert.match(text, /^\s+MODEL\s+VERSION\s+KIND/);
    assert.match(text, /\* +default +3 +dense/);
    assert.match(text, /default +2 +INVALID/);
  });

  it('rolls back to the newest older version; after a rollback the pointer marks the one in force', () => {
    assert.equal(previousVersion(catalog, 'default'), 2);
    catalog.apply({ type: 'current', pointer: { modelKey: 'default', version: 1, reason: 'rollback', at: 0 } });
    assert.equal(catalogRows(catalog).find((r) => r.current)?.version, 1);
    assert.equal(previousVersion(catalog, 'default'), undefined);
    assert.equal(previousVersion(catalog, 'nope'), undefined);
  });

  it('show leaves out the long error arrays but keeps their counts', () => {
    const meta = catalogRows(catalog).find((r) => r.version === 3)?.meta;
    assert.ok(meta);
    const shown = showable(meta) as { calibration: { errors: number } };
    assert.equal(shown.calibration.errors, meta.calibration.errors.length);
  });
});
