// A model trained on one backend must score the same on every other (issue 8):
// the scorer may run on `tensorflow` while the trainer ran on `wasm`, or the
// reverse, and thresholds are only valid if reconstruction errors agree.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, initBackend, type BackendName } from '../../../../common/model/backend.ts';
import { createRng } from '../../../../common/rng.ts';

const features = 32;
const seed = 42;
// float32 kernels differ only in summation order and fused ops; errors of a
// few ulp per layer stay far below these.
const predictionTolerance = 1e-4;
const errorRelativeTolerance = 1e-3;
// Training paths (different kernels for Adam, gradients) drift a little more.
const trainedLossRelativeTolerance = 0.01;

/** Sine windows with per-window phase and amplitude plus noise: learnable, not trivial. */
function windows(n: number, rngSeed: number): number[][] {
  const rng = createRng(rngSeed);
  return Array.from({ length: n }, () => {
    const phase = rng.next() * 2 * Math.PI;
    const amp = 0.5 + rng.next();
    return Array.from({ length: features }, (_, t) => amp * Math.sin(phase + (t * 2 * Math.PI) / 16) + 0.05 * rng.normal());
  });
}

function buildAutoencoder(): tf.LayersModel {
  const dense = (units: number, activation: 'relu' | 'linear', i: number, inputShape?: number[]): tf.layers.Layer =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
      biasInitializer: 'zeros',
      ...(inputShape === undefined ? {} : { inputShape }),
    });
  const model = tf.sequential({
    layers: [dense(16, 'relu', 0, [features]), dense(4, 'relu', 1), dense(16, 'relu', 2), dense(features, 'linear', 3)],
  });
  model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
  return model;
}

async function train(model: tf.LayersModel, data: number[][]): Promise<{ first: number; last: number }> {
  const x = tf.tensor2d(data);
  try {
    const history = await model.fit(x, x, { epochs: 15, batchSize: 32, shuffle: false, verbose: 0 });
    const loss = history.history['loss'] as number[];
    return { first: loss[0] ?? NaN, last: loss[loss.length - 1] ?? NaN };
  } finally {
    x.dispose();
  }
}

function predict(model: tf.LayersModel, data: number[][]): { out: Float32Array; errors: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor2d(data);
    const y = model.predict(x) as tf.Tensor2D;
    const errors = tf.mean(tf.square(tf.sub(y, x)), 1);
    return { out: y.dataSync() as Float32Array, errors: errors.dataSync() as Float32Array };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return m;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? NaN;
    const y = b[i] ?? NaN;
    m = Math.max(m, Math.abs(x - y) / Math.max(Math.abs(x), 1e-12));
  }
  return m;
}

describe('backends agree on a trained autoencoder', () => {
  const trainData = windows(512, 1);
  const testData = windows(64, 2);
  let backends: BackendName[] = [];

  before(async () => {
    backends = await availableBackends();
  });
  after(async () => {
    await initBackend('cpu');
  });

  it('has the backends this machine should have', () => {
    assert.ok(backends.includes('wasm'), `wasm missing: ${backends.join(', ')}`);
    assert.ok(backends.includes('cpu'), `cpu missing: ${backends.join(', ')}`);
    if (process.env['SENSORWATCH_EXPECT_NATIVE'] === '1') {
      assert.ok(
        backends.includes('tensorflow'),
        "SENSORWATCH_EXPECT_NATIVE=1 but the tensorflow backend is not available: run 'npm run native:install -- --strict' and read its output",
      );
    }
  });

  it('predictions of a wasm-trained model match on every backend', async (t) => {
    await initBackend('wasm');
    const model = buildAutoencoder();
    try {
      const loss = await train(model, trainData);
      assert.ok(loss.last < loss.first * 0.5, `training should learn something: loss ${loss.first} -> ${loss.last}`);
      const reference = predict(model, testData);
      for (const name of backends) {
        await initBackend(name);
        const got = predict(model, testData);
        const outDiff = maxAbsDiff(reference.out, got.out);
        const errDiff = maxRelDiff(reference.errors, got.errors);
        t.diagnostic(`${name}: max |Δprediction| ${outDiff.toExponential(2)}, max relative Δerror ${errDiff.toExponential(2)}`);
        assert.ok(outDiff < predictionTolerance, `${name} vs wasm: predictions differ by up to ${outDiff}`);
        assert.ok(errDiff < errorRelativeTolerance, `${name} vs wasm: reconstruction errors differ by up to ${errDiff * 100}%`);
      }
    } finally {
      model.dispose();
    }
  });

  it('training from the same seed reaches the same loss on every backend', async (t) => {
    const losses: Partial<Record<BackendName, number>> = {};
    for (const name of backends) {
      await initBackend(name);
      const model = buildAutoencoder();
      try {
        losses[name] = (await train(model, trainData)).last;
      } finally {
        model.dispose();
      }
    }
    const reference = losses.wasm ?? NaN;
    for (const name of backends) {
      const loss = losses[name] ?? NaN;
      const rel = Math.abs(loss - reference) / reference;
      t.diagnostic(`${name}: final training loss ${loss.toFixed(6)} (${(rel * 100).toFixed(3)}% from wasm)`);
      assert.ok(rel < trainedLossRelativeTolerance, `${name} final loss ${loss} vs wasm ${reference} (${(rel * 100).toFixed(2)}%)`);
    }
  });
});
