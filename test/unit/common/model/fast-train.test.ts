// The fast training step (common/model/fast-train.ts) must compute what the
// layers API and tf.train.adam compute: the same gradients, the same Adam
// update, and so the same loss trajectory within float32 tolerance.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { buildAutoencoder } from '../../../../common/model/build.ts';
import { denseActivations, denseGradients, FlatAdam } from '../../../../common/model/fast-train.ts';
import { sparsityPenalty } from '../../../../common/model/sparsity.ts';
import { trainModel } from '../../../../common/model/train.ts';
import { smallModelConfig, syntheticWindows, trainRecorded, type RecordedTraining } from './synthetic.ts';

const width = 64; // 16 samples × 4 channels, as syntheticWindows makes them

function maxRelativeDifference(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  assert.equal(av.length, bv.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < av.length; i++) {
    scale = Math.max(scale, Math.abs(bv[i] ?? 0));
    diff = Math.max(diff, Math.abs((av[i] ?? 0) - (bv[i] ?? 0)));
  }
  return diff / Math.max(scale, 1e-12);
}

/** The objective through the layers model, as train.ts's layers path builds it. */
function layersObjective(withCode: tf.LayersModel, cfg: ModelConfig, x: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const [recon, code] = withCode.apply(x, { training: true }) as [tf.Tensor2D, tf.Tensor2D];
  const mse = tf.losses.meanSquaredError(target, recon) as tf.Scalar;
  return cfg.kind === 'sae' ? mse.add(sparsityPenalty(code, cfg.sparsity)) : mse;
}

describe('fast training step', () => {
  before(async () => {
    await initBackend('wasm');
  });

  const cases: { name: string; cfg: ModelConfig }[] = [
    { name: 'dense relu, two hidden layers', cfg: smallModelConfig({ kind: 'dense', hidden: [24, 12], activation: 'relu' }) },
    { name: 'dense tanh', cfg: smallModelConfig({ kind: 'dense', activation: 'tanh' }) },
    { name: 'dense sigmoid', cfg: smallModelConfig({ kind: 'dense', activation: 'sigmoid' }) },
    { name: 'sparse, KL penalty', cfg: smallModelConfig({ kind: 'sae', sparsity: { penalty: 'kl', rho: 0.05, beta: 1, lambda: 0 } }) },
    { name: 'sparse, L1 penalty', cfg: smallModelConfig({ kind: 'sae', sparsity: { penalty: 'l1', rho: 0.05, beta: 1, lambda: 0.01 } }) },
  ];
  for (const { name, cfg } of cases) {
    it(`gradients equal the layers model's autodiff: ${name}`, () => {
      const { net, withCode } = buildAutoencoder(cfg, { length: 16, channels: 4 }, 7);
      const x = tf.randomNormal([20, width], 0, 1, 'float32', 3) as tf.Tensor2D;
      const target = tf.randomNormal([20, width], 0, 1, 'float32', 4) as tf.Tensor2D;
      const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
      const expected = tf.variableGrads(() => layersObjective(withCode, cfg, x, target), vars);
      const sparsity = cfg.kind === 'sae' ? { sparsity: { cfg: cfg.sparsity, codeLayer: cfg.hidden.length } } : {};
      const got = denseGradients({ params: net.getWeights(), activations: denseActivations(cfg), x, target, ...sparsity });
      assert.ok(Math.abs((got.loss.dataSync()[0] ?? 0) - (expected.value.dataSync()[0] ?? 0)) < 1e-6 * Math.abs(expected.value.dataSync()[0] ?? 1));
      assert.equal(got.grads.length, vars.length);
      vars.forEach((v, i) => {
        const g = got.grads[i] as tf.Tensor;
        assert.deepEqual(g.shape, v.shape);
        const d = maxRelativeDifference(g, expected.grads[v.name] as tf.Tensor);
        assert.ok(d < 1e-5, `${v.name}: max relative difference ${d}`);
      });
      net.dispose();
      tf.dispose([x, target, expected.value, got.loss, ...Object.values(expected.grads), ...got.grads]);
    });
  }

  it('FlatAdam makes the same updates as tf.train.adam over many steps', () => {
    const rng = (seed: number, shape: number[]): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const initial = [rng(1, [5, 3]), rng(2, [3]), rng(3, [7])];
    const vars = initial.map((t) => tf.variable(t.clone()));
    const reference = tf.train.adam(0.01);
    const flat = new FlatAdam(initial, 0.01);
    for (let step = 0; step < 25; step++) {
      const grads = initial.map((t, i) => rng(100 + step * 10 + i, t.shape).mul(step % 3 === 0 ? 10 : 0.1));
      reference.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] as tf.Tensor })));
      flat.apply(grads);
      tf.dispose(grads);
    }
    const got = flat.params();
    vars.forEach((v, i) => {
      // Bit for bit: the same element-wise kernels, and beta^t rounded to float32 after every step as tf.train.adam's is.
      assert.deepEqual(Array.from(got[i]?.dataSync() ?? []), Array.from(v.dataSync()), `parameter ${i}`);
    });
    tf.dispose([...initial, ...vars, ...got]);
    flat.dispose();
    reference.dispose();
  });

  it('leaks no tensors over steps', () => {
    const cfg = smallModelConfig({ kind: 'dense' });
    const { net } = buildAutoencoder(cfg, { length: 16, channels: 4 }, 7);
    const x = tf.randomNormal([8, width], 0, 1, 'float32', 3) as tf.Tensor2D;
    const adam = new FlatAdam(net.getWeights(), 1e-3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => adam.apply(denseGradients({ params: adam.params(), activations: denseActivations(cfg), x, target: x }).grads));
    }
    assert.equal(tf.memory().numTensors, before);
    adam.dispose();
    net.dispose();
    x.dispose();
  });

  // The whole of trainModel, both ways: the same seeded batches, corruption and
  // early stopping; only the kernels differ, so the trajectories agree closely.
  const trajectoryCases: ModelConfig[] = [
    smallModelConfig({ kind: 'dense' }, { epochs: 8, patience: 20 }),
    smallModelConfig({ kind: 'dae' }, { epochs: 8, patience: 20 }),
    smallModelConfig({ kind: 'sae' }, { epochs: 8, patience: 20 }),
    // Conv: the layers API's gradients, the flat Adam update.
    smallModelConfig({ kind: 'conv' }, { epochs: 5, patience: 20 }),
  ];
  const windows = syntheticWindows({ sensors: 3, windowsPerSensor: 100, seed: 4 });
  for (const cfg of trajectoryCases) {
    it(`trainModel: the loss trajectory of the fast step follows the layers API's (${cfg.kind})`, async () => {
      const run = (step: 'fast' | 'layers'): Promise<RecordedTraining> => trainRecorded(windows, cfg, step);

      const fast = await run('fast');
      const layers = await run('layers');
      assert.equal(fast.val.length, layers.val.length);
      // Falls by far more than the two differ.
      assert.ok((layers.val.at(-1) ?? 0) < 0.7 * (layers.val[0] ?? 0), `layers: ${layers.val.join(', ')}`);
      for (const [a, b] of [
        [fast.loss, layers.loss],
        [fast.val, layers.val],
      ] as const) {
        a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] ?? 0)) < 0.01 * (b[i] ?? 0), `epoch ${i + 1}: fast ${v}, layers ${b[i]}`));
      }
      const meanOf = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
      assert.ok(Math.abs(meanOf(fast.errors) - meanOf(layers.errors)) < 0.01 * meanOf(layers.errors));
    });
  }
});

// The fast step runs the layers step's kernels on the same values in the same order (fused
// matMul forward, the autodiff's gradient formulas, tf.train.adam's update and float32 beta^t,
// the loss as tf.losses.meanSquaredError, validation in net.predict's batches of 256), so on the
// cpu and tensorflow backends a model trained either way is the same model, bit for bit: the
// detection figures cannot move with the step (issue 21).
async function bitForBit(backend: 'cpu' | 'tensorflow'): Promise<void> {
  await initBackend(backend);
  // 1,350 windows for the first: 270 held out, more than one of predict's batches of 256.
  const many = syntheticWindows({ sensors: 3, windowsPerSensor: 450, seed: 5 });
  const few = syntheticWindows({ sensors: 2, windowsPerSensor: 90, seed: 6 });
  const cases: { cfg: ModelConfig; windows: typeof few }[] = [
    { cfg: smallModelConfig({ kind: 'dense', hidden: [24, 12], activation: 'relu' }, { epochs: 5, patience: 2 }), windows: many },
    { cfg: smallModelConfig({ kind: 'dense', activation: 'tanh' }, { epochs: 4, patience: 20 }), windows: few },
    { cfg: smallModelConfig({ kind: 'dense', activation: 'sigmoid' }, { epochs: 4, patience: 20 }), windows: few },
    { cfg: smallModelConfig({ kind: 'dae' }, { epochs: 4, patience: 20 }), windows: few },
    { cfg: smallModelConfig({ kind: 'sae', sparsity: { penalty: 'kl', rho: 0.05, beta: 1, lambda: 0 } }, { epochs: 4, patience: 20 }), windows: few },
    { cfg: smallModelConfig({ kind: 'conv' }, { epochs: 3, patience: 20 }), windows: few },
  ];
  for (const { cfg, windows } of cases) {
    const run = async (stepImplementation: 'fast' | 'layers'): Promise<{ epochs: number[][]; weights: number[][]; meta: string }> => {
      const epochs: number[][] = [];
      const r = await trainModel({
        windows,
        config: cfg,
        thresholds: { ...defaultConfig.thresholds },
        modelKey: 'k',
        version: 1,
        backend,
        stepImplementation,
        now: () => 1_700_000_000_000,
        onEpoch: (p) => epochs.push([p.loss, p.valLoss, p.bestValLoss]),
      });
      const weights = r.model.net.getWeights().map((w) => Array.from(w.dataSync()));
      r.model.dispose();
      return { epochs, weights, meta: JSON.stringify(r.meta) };
    };
    const fast = await run('fast');
    const layers = await run('layers');
    const label = `${cfg.kind} ${cfg.activation}`;
    assert.ok(fast.epochs.length >= 3, label);
    assert.deepEqual(fast.epochs, layers.epochs, `${label}: epoch losses`);
    assert.deepEqual(fast.weights, layers.weights, `${label}: weights`);
    // Thresholds, calibration errors, losses: everything the scorer and the quality gate read.
    assert.equal(fast.meta, layers.meta, `${label}: metadata`);
  }
}

describe('fast training step, bit for bit', () => {
  it('trains the same model as the layers step on the cpu backend (dense relu/tanh/sigmoid, dae, sae, conv)', async () => {
    await bitForBit('cpu');
  });

  it('trains the same model as the layers step on the tensorflow backend (or, where it is not installed, says how to install it)', async () => {
    const missing = await initBackend('tensorflow').then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (missing === null) {
      await bitForBit('tensorflow');
      return;
    }
    // CI installs the native backend and sets SENSORWATCH_EXPECT_NATIVE=1: there it must be compared.
    assert.notEqual(process.env['SENSORWATCH_EXPECT_NATIVE'], '1', `SENSORWATCH_EXPECT_NATIVE=1 but the tensorflow backend does not load: ${missing}`);
    assert.match(missing, /npm run native:install/, 'without it, the error says how to install it');
  });
});
