import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { benchModel, syntheticWindows } from '../../../../bench/parts/fixtures.ts';
import { exportDenseModel } from '../../../../bench/reference/export.ts';

describe('bench fixtures', () => {
  it('windows are 64 samples × 8 channels and deterministic', () => {
    const a = syntheticWindows(5, 3);
    const b = syntheticWindows(5, 3);
    assert.equal(a.length, 5);
    for (const w of a) assert.equal(w.samples.length, 64 * 8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(syntheticWindows(5, 4)[0]?.samples, a[0]?.samples);
  });

  const cases: { name: string; hidden?: number[]; codeSize?: number; want: number[] }[] = [
    { name: 'the reference dense autoencoder is 512 → 128 → 32 → 128 → 512', want: [128, 32, 128, 512] },
    { name: 'a small per-sensor model', hidden: [32], codeSize: 8, want: [32, 8, 32, 512] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await tf.setBackend('cpu');
      const m = benchModel('dense', syntheticWindows(32), 'cpu', {
        ...(c.hidden === undefined ? {} : { hidden: c.hidden }),
        ...(c.codeSize === undefined ? {} : { codeSize: c.codeSize }),
      });
      const { spec } = exportDenseModel(m.net, 64, 8);
      assert.equal(spec.features, 512);
      assert.deepEqual(spec.layers.map((l) => l.units), c.want);
      m.dispose();
    });
  }

  it('the conv case takes and returns flat 512-wide windows', async () => {
    await tf.setBackend('cpu');
    const m = benchModel('conv', syntheticWindows(32), 'cpu');
    assert.deepEqual(m.net.inputs[0]?.shape, [null, 512]);
    assert.deepEqual(m.net.outputs[0]?.shape, [null, 512]);
    m.dispose();
  });
});
