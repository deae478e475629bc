import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { channelRange, corrupt } from '../../../../common/model/corruption.ts';
import { normaliseWindow } from '../../../../common/model/normalise.ts';
import { trainModel, type TrainOptions } from '../../../../common/model/train.ts';
import { createRng } from '../../../../common/rng.ts';
import { smallModelConfig, syntheticWindows } from './synthetic.ts';

const windows = syntheticWindows({ sensors: 3, windowsPerSensor: 100, seed: 4 });

function options(config: ModelConfig, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { windows, config, thresholds: { ...defaultConfig.thresholds }, modelKey: 'k', version: 1, backend: tf.getBackend(), ...extra };
}

describe('trainModel', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('is reproducible: the same seed gives the same model, another seed does not', async () => {
    const cfg = smallModelConfig({ kind: 'dae' }, { epochs: 2 });
    const a = await trainModel(options(cfg));
    const b = await trainModel(options(cfg));
    const c = await trainModel(options(cfg, { seed: 99 }));
    assert.deepEqual(b.valErrors, a.valErrors);
    assert.notDeepEqual(c.valErrors, a.valErrors);
    for (const r of [a, b, c]) r.model.dispose();
  });

  it('validates on the latest windows (time-ordered split) and fits normalisation on the rest', async () => {
    const cfg = smallModelConfig({}, { epochs: 1, validationFraction: 0.25 });
    const r = await trainModel(options(cfg));
    const cutoff = Math.min(...r.valWindows.map((w) => w.start));
    assert.equal(r.valWindows.length, 75);
    assert.equal(windows.filter((w) => w.start < cutoff).length, 225);
    assert.equal(r.meta.dataRange.trainWindows, 225);
    assert.equal(r.valErrors.length, 75);
    r.model.dispose();
  });

  it('stores each sensor\'s longest flat run per channel (the flatline rule\'s floor), measured with the given epsilon', async () => {
    const cfg = smallModelConfig({}, { epochs: 1 });
    // One sensor's first window holds channel 0 still for its first 5 samples (within 0.01, not within 1e-9).
    const still = windows.map((w, i) => {
      if (i !== 0) return w;
      const samples = [...w.samples];
      const width = w.channels.length;
      for (let t = 0; t < 5; t++) samples[t * width] = 3 + t * 0.001;
      return { ...w, samples };
    });
    const loose = await trainModel(options(cfg, { windows: still, flatlineEpsilon: 0.01 }));
    const strict = await trainModel(options(cfg, { windows: still }));
    const id = (still[0] as (typeof still)[number]).sensorId;
    const runs = loose.meta.calibration.flatRuns ?? {};
    assert.deepEqual(Object.keys(runs).sort(), [...new Set(windows.map((w) => w.sensorId))].sort());
    assert.equal(runs[id]?.length, loose.meta.channels.length);
    assert.ok((runs[id]?.[0] ?? 0) >= 5);
    assert.ok((strict.meta.calibration.flatRuns?.[id]?.[0] ?? 0) < 5);
    loose.model.dispose();
    strict.model.dispose();
  });

  it('stops early when the validation loss stops improving, keeping the best epoch', async () => {
    // A learning rate this high makes the loss bounce: patience 1 ends it early.
    const cfg = smallModelConfig({}, { epochs: 40, patience: 1, learningRate: 0.05 });
    const seen: number[] = [];
    const r = await trainModel(options(cfg, { onEpoch: (p) => seen.push(p.valLoss) }));
    assert.ok(r.meta.metrics.stoppedEarly, `ran ${r.meta.metrics.epochs} epochs`);
    assert.equal(seen.length, r.meta.metrics.epochs);
    assert.equal(Math.min(...seen), seen[r.meta.metrics.bestEpoch - 1]);
    // The kept weights are the best epoch's: the final held-out MSE is that epoch's.
    assert.ok(Math.abs(r.meta.metrics.valLoss - Math.min(...seen)) < 1e-4 * Math.min(...seen));
    r.model.dispose();
  });

  it('reports progress with an ETA and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const etas: number[] = [];
    const r = await trainModel(options(smallModelConfig({ kind: 'sae' }, { epochs: 3 }), { onEpoch: (p) => etas.push(p.etaSeconds) }));
    assert.equal(etas.length, 3);
    assert.equal(etas[2], 0);
    r.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('awaits a promise onEpoch returns before the next epoch', async () => {
    const events: string[] = [];
    const r = await trainModel(
      options(smallModelConfig({}, { epochs: 3, patience: 10 }), {
        onEpoch: (p) => {
          events.push(`epoch ${p.epoch}`);
          if (p.epoch !== 1) return undefined;
          return new Promise<void>((resolve) => setTimeout(() => (events.push('released'), resolve()), 30));
        },
      }),
    );
    assert.deepEqual(events, ['epoch 1', 'released', 'epoch 2', 'epoch 3']);
    r.model.dispose();
  });

  it('refuses too few windows', async () => {
    await assert.rejects(trainModel(options(smallModelConfig(), { windows: windows.slice(0, 5) })), (e: Error & { code?: string }) => e.code === 'not_enough_windows');
  });

  it('sparse AE (ρ = 0.05) has mean code activation near ρ; a plain AE with the same sigmoid code does not', async () => {
    const epochs = { epochs: 15, patience: 15 };
    const sae = await trainModel(options(smallModelConfig({ kind: 'sae', sparsity: { penalty: 'kl', rho: 0.05, beta: 1, lambda: 0 } }, epochs)));
    const plain = await trainModel(options(smallModelConfig({ kind: 'dense', activation: 'sigmoid' }, epochs)));
    const s = sae.meta.metrics.meanCodeActivation;
    const p = plain.meta.metrics.meanCodeActivation;
    assert.ok(s > 0.025 && s < 0.1, `sparse: ${s}`);
    assert.ok(p > 0.2, `plain: ${p}`);
    sae.model.dispose();
    plain.model.dispose();
  });

  it('denoising AE reconstructs corrupted windows better than a plain AE trained on the same clean data', async () => {
    const noise = { kind: 'gaussian' as const, level: 0.5 };
    const common = { hidden: [32], codeSize: 8, noise };
    const training = { epochs: 25, patience: 25 };
    const dae = await trainModel(options(smallModelConfig({ kind: 'dae', ...common }, training)));
    const plain = await trainModel(options(smallModelConfig({ kind: 'dense', ...common }, training)));
    const errorOnCorrupted = (r: typeof dae): number => {
      const stats = r.meta.normalisation;
      const clean = new Float32Array(r.valWindows.length * 64);
      r.valWindows.forEach((w, i) => normaliseWindow(w, stats, clean, i * 64));
      const noisy = corrupt(clean, noise, createRng(123), channelRange(clean, 4));
      return tf.tidy(() => {
        const out = r.model.reconstruct(tf.tensor2d(noisy, [r.valWindows.length, 64]));
        return out.sub(tf.tensor2d(clean, [r.valWindows.length, 64])).square().mean().dataSync()[0] ?? Number.NaN;
      });
    };
    const d = errorOnCorrupted(dae);
    const p = errorOnCorrupted(plain);
    assert.ok(d < 0.8 * p, `denoising ${d} vs plain ${p}`);
    dae.model.dispose();
    plain.model.dispose();
  });

  it('conv AE trains: validation loss falls and the threshold is positive', async () => {
    const losses: number[] = [];
    const r = await trainModel(options(smallModelConfig({ kind: 'conv' }, { epochs: 8 }), { onEpoch: (p) => losses.push(p.valLoss) }));
    assert.ok(r.meta.metrics.valLoss < 0.8 * (losses[0] ?? 0), `losses ${losses.join(', ')}`);
    assert.ok(r.meta.thresholds.model.value > 0);
    r.model.dispose();
  });
});
