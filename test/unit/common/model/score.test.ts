import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../common/model/backend.ts';
import { normaliseWindow } from '../../../../common/model/normalise.ts';
import { scoreWindows } from '../../../../common/model/score.ts';
import type { TrainResult } from '../../../../common/model/train.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { syntheticWindows, trainSmall } from './synthetic.ts';

describe('scoreWindows', () => {
  let trained: TrainResult;
  const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 10, seed: 5 });
  before(async () => {
    await initBackend('wasm');
    trained = await trainSmall();
  });
  after(() => trained.model.dispose());

  it('error is the MSE over the normalised window, computed independently', () => {
    const scores = scoreWindows(trained.model, windows);
    windows.forEach((w, i) => {
      const x = normaliseWindow(w, trained.model.meta.normalisation);
      const r = tf.tidy(() => trained.model.reconstruct(tf.tensor2d(x, [1, x.length])).dataSync());
      const mse = Array.from(x).reduce((a, v, j) => a + (v - (r[j] ?? 0)) ** 2, 0) / x.length;
      assert.ok(Math.abs((scores[i]?.error ?? 0) - mse) < 1e-5 * Math.max(1, mse), `window ${i}: ${scores[i]?.error} vs ${mse}`);
    });
  });

  it('channel contributions add up to the error and follow the channel residuals', () => {
    for (const s of scoreWindows(trained.model, windows)) {
      assert.equal(s.contributions.length, 4);
      assert.ok(Math.abs(s.contributions.reduce((a, b) => a + b, 0) - s.error) <= 1e-12);
      assert.ok(s.contributions.every((c) => c >= 0));
    }
  });

  it('a spike on one channel makes that channel the top contributor', () => {
    const w = windows[3] as SignalWindow;
    const spiked: SignalWindow = { ...w, samples: w.samples.map((v, i) => (i % 4 === 2 && i >= 20 && i < 40 ? v + 30 : v)) };
    const [normal, anomalous] = scoreWindows(trained.model, [w, spiked]);
    assert.ok((anomalous?.error ?? 0) > 10 * (normal?.error ?? Infinity));
    const top = anomalous?.contributions.indexOf(Math.max(...(anomalous?.contributions ?? [])));
    assert.equal(top, 2);
  });

  it('scores the same however the window orders its channels', () => {
    const w = windows[0] as SignalWindow;
    const reordered: SignalWindow = {
      ...w,
      channels: ['ch3', 'ch2', 'ch1', 'ch0'],
      samples: w.samples.map((_, i) => w.samples[Math.floor(i / 4) * 4 + (3 - (i % 4))] ?? 0),
    };
    const [a, b] = scoreWindows(trained.model, [w, reordered]);
    assert.deepEqual(a, b);
  });

  it('returns nothing for no windows and refuses a window of the wrong length', () => {
    assert.deepEqual(scoreWindows(trained.model, []), []);
    const w = windows[0] as SignalWindow;
    assert.throws(() => scoreWindows(trained.model, [{ ...w, samples: w.samples.slice(0, 32) }]), (e: Error & { code?: string }) => e.code === 'window_incompatible');
  });

  it('leaks no tensors across many calls', () => {
    scoreWindows(trained.model, windows);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) scoreWindows(trained.model, windows.slice(i % 10, 10 + (i % 7)));
    assert.equal(tf.memory().numTensors, before);
  });
});
