import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { LoadedModel } from '../../../../common/model/artifact.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { trainModel } from '../../../../common/model/train.ts';
import { retrain, type RetrainInput } from '../../../../common/training/retrain.ts';
import { smallModelConfig, syntheticWindows } from '../model/synthetic.ts';

const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 80, seed: 8 });
const config = (epochs: number, minWindows = 50) => ({
  model: smallModelConfig({ kind: 'dense' }, { epochs, patience: epochs }),
  thresholds: { ...defaultConfig.thresholds },
  trainer: { ...defaultConfig.trainer, minWindows, promotionMargin: 0.1 },
  windowing: defaultConfig.windowing,
});
const input = (over: Partial<RetrainInput>): RetrainInput => ({
  modelKey: 'default',
  windows,
  config: config(10),
  current: null,
  version: 2,
  backend: tf.getBackend(),
  ...over,
});

async function model(epochs: number, w = windows): Promise<LoadedModel> {
  return (await trainModel({ windows: w, config: config(epochs).model, thresholds: defaultConfig.thresholds, modelKey: 'default', version: 1, backend: 'test' })).model;
}

describe('retrain', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('skips (and says why) when there are fewer than trainer.minWindows windows', async () => {
    const r = await retrain(input({ config: config(1, 500) }));
    assert.deepEqual(r, { outcome: 'skipped', reason: 'not_enough_windows', windows: 160, minWindows: 500 });
  });

  it('promotes the first model', async () => {
    const r = await retrain(input({ config: config(2) }));
    assert.equal(r.outcome, 'promoted');
    if ('decision' in r) {
      assert.equal(r.decision.reason, 'first_model');
      assert.equal(r.trained.meta.version, 2);
      r.trained.model.dispose();
    }
  });

  it('rejects a barely trained candidate against a well trained current model, on the same held-out windows', async () => {
    const good = await model(30);
    const r = await retrain(input({ config: config(1), current: good }));
    assert.equal(r.outcome, 'rejected');
    if ('decision' in r) {
      assert.equal(r.decision.reason, 'worse_than_current');
      assert.ok(r.decision.candidateError > 1.1 * (r.decision.currentError ?? 0));
      r.trained.model.dispose();
    }
    good.dispose();
  });

  it('promotes a well trained candidate over a barely trained current model', async () => {
    const weak = await model(1);
    const r = await retrain(input({ config: config(30), current: weak }));
    assert.equal(r.outcome, 'promoted');
    if ('decision' in r) {
      assert.equal(r.decision.reason, 'not_worse');
      r.trained.model.dispose();
    }
    weak.dispose();
  });

  it('promotes over a current model that cannot read the new windows, and notes why', async () => {
    const other = await model(1, syntheticWindows({ sensors: 1, windowsPerSensor: 40, length: 8 }));
    const r = await retrain(input({ config: config(2), current: other }));
    assert.equal(r.outcome, 'promoted');
    if ('decision' in r) {
      assert.match(r.currentNote ?? '', /cannot score the new windows/);
      r.trained.model.dispose();
    }
    other.dispose();
  });
});
