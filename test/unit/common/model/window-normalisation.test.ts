// model.normalisation `window`: a model trained and scored through the very
// same normaliseWindow judges the shape of a window, not its level. The same
// windows moved to another operating point score alike, a changed shape does
// not, and the artifact keeps the kind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { scoreWindows } from '../../../../common/model/score.ts';
import { trainModel, type TrainResult } from '../../../../common/model/train.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { smallModelConfig, syntheticWindows } from './synthetic.ts';

const shifted = (w: SignalWindow, by: number): SignalWindow => ({ ...w, samples: Array.from(w.samples, (v) => v + by) });

describe('window normalisation, trained and scored', () => {
  let trained: TrainResult;
  const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 60 });
  before(async () => {
    await initBackend('cpu');
    trained = await trainModel({
      windows,
      config: smallModelConfig({ kind: 'dense', normalisation: 'window' }, { epochs: 3 }),
      thresholds: { ...defaultConfig.thresholds },
      modelKey: 'default',
      version: 1,
      backend: tf.getBackend(),
      now: () => 1_700_000_000_000,
    });
  });
  after(() => trained.model.dispose());

  it('stores the kind, with centre 0', () => {
    assert.equal(trained.model.meta.normalisation.kind, 'window');
    assert.ok(trained.model.meta.normalisation.center.every((c) => c === 0));
  });

  it('scores a window moved to another level as the window itself, and a changed shape otherwise', () => {
    const some = windows.slice(0, 8);
    const base = scoreWindows(trained.model, some, { stepSamples: 4 });
    const moved = scoreWindows(trained.model, some.map((w) => shifted(w, 250)), { stepSamples: 4 });
    base.forEach((s, i) => {
      const m = moved[i];
      assert.ok(m !== undefined && Math.abs(m.error - s.error) <= 1e-3 * Math.max(s.error, 1e-6), `window ${i}: ${m?.error} vs ${s.error}`);
    });
    const w = some[0] as SignalWindow;
    const width = w.channels.length;
    const spiked = { ...w, samples: Array.from(w.samples, (v, i) => (i === width * 3 ? v + 50 : v)) };
    const [s] = scoreWindows(trained.model, [spiked], { stepSamples: 4 });
    assert.ok((s?.error ?? 0) > 10 * (base[0]?.error ?? 0), `a spike: ${s?.error} vs ${base[0]?.error}`);
  });
});
