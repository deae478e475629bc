// The WebAssembly training step (common/model/wasm-train.ts) must compute what
// the fast tfjs step computes: the same gradients, the same Adam update, and
// so the same trajectory to float32 rounding (its products sum in another
// order, so not bit for bit).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { buildAutoencoder } from '../../../../common/model/build.ts';
import { denseActivations, denseGradients, FlatAdam } from '../../../../common/model/fast-train.ts';
import type { TrainingStep } from '../../../../common/model/train.ts';
import { trainKernels } from '../../../../common/model/train-kernels.ts';
import { WasmDenseTrainer } from '../../../../common/model/wasm-train.ts';
import { smallModelConfig, syntheticWindows, trainRecorded, type RecordedTraining } from './synthetic.ts';

/** max |a − b| ÷ max |b|. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
    diff = Math.max(diff, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  }
  return diff / Math.max(scale, 1e-12);
}

/** A dense model on windows of 5 samples × 3 channels: 15 inputs, and widths that are no multiple of 8 (the kernels pad them). */
function oddModel(activation: ModelConfig['activation'], kind: ModelConfig['kind'] = 'dense'): { cfg: ModelConfig; net: tf.LayersModel; dims: number[] } {
  const cfg = smallModelConfig({ kind, hidden: [13], codeSize: 5, activation });
  const { net } = buildAutoencoder(cfg, { length: 5, channels: 3 }, 11);
  return { cfg, net, dims: [15, 13, 5, 13, 15] };
}

function wasmTrainer(cfg: ModelConfig, net: tf.LayersModel, dims: number[], maxRows: number): WasmDenseTrainer {
  const trainer = WasmDenseTrainer.create({
    dims,
    activations: denseActivations(cfg),
    weights: net.getWeights().map((w) => w.dataSync() as Float32Array),
    learningRate: cfg.training.learningRate,
    epsilon: tf.backend().epsilon(),
    maxRows,
  });
  assert.ok(trainer !== null, 'this Node has WebAssembly SIMD');
  return trainer;
}

describe('WebAssembly training step', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('the product kernel: C = A · B + bias with B packed (pack, packT), and the transpose', () => {
    const k = trainKernels();
    assert.ok(k !== null);
    k.memory.grow(4);
    const f = new Float32Array(k.memory.buffer);
    const [m, kk, n] = [12, 7, 24];
    const [a, b, bias, c, packed, bt] = [0, 1024, 2048, 4096, 8192, 12288];
    for (let i = 0; i < m * kk; i++) f[a + i] = Math.sin(i + 1);
    for (let i = 0; i < kk * n; i++) f[b + i] = Math.cos(3 * i);
    for (let j = 0; j < n; j++) f[bias + j] = j / 10 - 1;
    const check = (relu: boolean): void => {
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          let s = f[bias + j] as number;
          for (let i = 0; i < kk; i++) s += (f[a + r * kk + i] as number) * (f[b + i * n + j] as number);
          if (relu) s = Math.max(s, 0);
          assert.ok(Math.abs((f[c + r * n + j] as number) - s) < 1e-5, `relu ${relu} [${r}][${j}]: ${f[c + r * n + j]} vs ${s}`);
        }
      }
    };
    k.pack(4 * b, 4 * packed, kk, n);
    for (const relu of [false, true]) {
      f.fill(Number.NaN, c, c + m * n);
      (relu ? k.gemmRelu : k.gemm)(4 * a, 4 * packed, 4 * bias, 4 * c, kk, n, m);
      check(relu);
    }
    // packT of Bᵀ ([n][kk]) is the same packed B.
    for (let i = 0; i < kk; i++) for (let j = 0; j < n; j++) f[bt + j * kk + i] = f[b + i * n + j] as number;
    f.fill(0, packed, packed + kk * n);
    k.packT(4 * bt, 4 * packed, n, kk);
    f.fill(Number.NaN, c, c + m * n);
    k.gemm(4 * a, 4 * packed, 4 * bias, 4 * c, kk, n, m);
    check(false);
    k.transpose(4 * a, 4 * c, m, kk);
    for (let r = 0; r < m; r++) for (let i = 0; i < kk; i++) assert.equal(f[c + i * m + r], f[a + r * kk + i]);
  });

  for (const activation of ['relu', 'tanh', 'sigmoid'] as const) {
    it(`loss and gradients equal the fast step's on one batch (${activation}, padded widths, 7 rows)`, () => {
      const { cfg, net, dims } = oddModel(activation);
      const rows = 7;
      const x = tf.randomNormal([rows, 15], 0, 1, 'float32', 3) as tf.Tensor2D;
      const target = tf.randomNormal([rows, 15], 0, 1, 'float32', 4) as tf.Tensor2D;
      const expected = denseGradients({ params: net.getWeights(), activations: denseActivations(cfg), x, target });
      const trainer = wasmTrainer(cfg, net, dims, 8);
      const loss = trainer.computeGradients(x.dataSync() as Float32Array, target.dataSync() as Float32Array, rows);
      const want = expected.loss.dataSync()[0] ?? Number.NaN;
      assert.ok(Math.abs(loss - want) < 1e-6 * want, `loss ${loss} vs ${want}`);
      const grads = trainer.gradients();
      assert.equal(grads.length, expected.grads.length);
      grads.forEach((g, i) => {
        const d = relativeDifference(g, (expected.grads[i] as tf.Tensor).dataSync());
        assert.ok(d < 1e-5, `gradient ${i}: relative difference ${d}`);
      });
      net.dispose();
    });
  }

  it('gradients match central finite differences of the loss (relu, float64 check on a few weights)', () => {
    const { cfg, net, dims } = oddModel('tanh');
    const rows = 6;
    const x = tf.randomNormal([rows, 15], 0, 1, 'float32', 5).dataSync() as Float32Array;
    const target = tf.randomNormal([rows, 15], 0, 1, 'float32', 6).dataSync() as Float32Array;
    const trainer = wasmTrainer(cfg, net, dims, rows);
    trainer.computeGradients(x, target, rows);
    const grads = trainer.gradients();
    const weights = trainer.weights();
    const h = 1e-2;
    // One kernel weight and one bias of each layer.
    for (let p = 0; p < weights.length; p++) {
      const at = p % 2 === 0 ? 3 : 1;
      const lossWith = (delta: number): number => {
        const w = weights.map((a) => Float32Array.from(a));
        (w[p] as Float32Array)[at] = ((weights[p] as Float32Array)[at] as number) + delta;
        trainer.setWeights(w);
        return trainer.computeGradients(x, target, rows);
      };
      const numeric = (lossWith(h) - lossWith(-h)) / (2 * h);
      const analytic = (grads[p] as Float32Array)[at] as number;
      assert.ok(Math.abs(numeric - analytic) < 2e-3 * Math.max(Math.abs(analytic), 1e-2), `param ${p}[${at}]: numeric ${numeric}, analytic ${analytic}`);
    }
    net.dispose();
  });

  it('the Adam kernel is FlatAdam bit for bit on the same gradients (three steps)', () => {
    const k = trainKernels();
    assert.ok(k !== null);
    const n = 40;
    const initial = tf.randomNormal([n], 0, 1, 'float32', 21) as tf.Tensor1D;
    const adam = new FlatAdam([initial], 1e-2);
    k.memory.grow(1);
    const f = new Float32Array(k.memory.buffer);
    const [p, m, v, g] = [0, 64, 128, 192];
    f.set(initial.dataSync(), p);
    f.fill(0, m, g);
    let [acc1, acc2] = [Math.fround(0.9), Math.fround(0.999)];
    for (let s = 0; s < 3; s++) {
      const grad = tf.randomNormal([n], 0, s === 0 ? 1 : 1e-3, 'float32', 30 + s) as tf.Tensor1D;
      f.set(grad.dataSync(), g);
      k.adam(4 * p, 4 * m, 4 * v, 4 * g, n, 0.9, 1 - 0.9, 0.999, 1 - 0.999, Math.fround(1 - acc1), Math.fround(1 - acc2), tf.backend().epsilon(), -1e-2);
      acc1 = Math.fround(acc1 * Math.fround(0.9));
      acc2 = Math.fround(acc2 * Math.fround(0.999));
      adam.apply([grad]);
      grad.dispose();
    }
    const want = (adam.params()[0] as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(f.subarray(p, p + n)), Array.from(want));
    assert.notDeepEqual(Array.from(want), Array.from(initial.dataSync()));
    adam.dispose();
  });

  it('the validation loss is the MSE of the reconstruction, over more rows than one pass takes', () => {
    const { cfg, net, dims } = oddModel('tanh');
    const n = 600;
    const x = tf.randomNormal([n, 15], 0, 1, 'float32', 8) as tf.Tensor2D;
    const want = tf.tidy(() => (net.predict(x) as tf.Tensor).sub(x).square().mean().dataSync()[0] ?? Number.NaN);
    const got = wasmTrainer(cfg, net, dims, 64).validationLoss(x.dataSync() as Float32Array, n);
    assert.ok(Math.abs(got - want) < 1e-5 * want, `${got} vs ${want}`);
    net.dispose();
  });

  it('refuses a batch larger than it was made for, and weights of the wrong size', () => {
    const { cfg, net, dims } = oddModel('relu');
    const trainer = wasmTrainer(cfg, net, dims, 8);
    // Room for the validation pass's 256 rows; more is refused.
    assert.throws(() => trainer.step(new Float32Array(300 * 15), new Float32Array(300 * 15), 300), /a batch of 300 rows/);
    assert.throws(() => trainer.setWeights([new Float32Array(3)]), /layer 1 weights/);
    net.dispose();
  });

  it('a model too large for a WebAssembly memory gets no WebAssembly step (trainModel then takes the fast step)', () => {
    // One 40,000 × 40,000 layer: 6 GiB per parameter buffer, past the 4 GiB of a 32-bit memory.
    const trainer = WasmDenseTrainer.create({
      dims: [40_000, 40_000],
      activations: ['linear'],
      weights: [new Float32Array(0), new Float32Array(0)],
      learningRate: 1e-3,
      epsilon: 1e-7,
      maxRows: 64,
    });
    assert.equal(trainer, null);
  });

  // trainModel with stepImplementation 'wasm' against 'fast': same initial weights, batches,
  // corruption and early stopping; the losses per epoch and the trained weights agree closely.
  const trajectoryCases: ModelConfig[] = [
    smallModelConfig({ kind: 'dense', hidden: [24, 12], activation: 'relu' }, { epochs: 8, patience: 20 }),
    smallModelConfig({ kind: 'dense', activation: 'tanh' }, { epochs: 6, patience: 20 }),
    smallModelConfig({ kind: 'dae' }, { epochs: 8, patience: 20 }),
    smallModelConfig({ kind: 'dae', noise: { kind: 'masking', level: 0.2 } }, { epochs: 6, patience: 2 }),
  ];
  const windows = syntheticWindows({ sensors: 3, windowsPerSensor: 100, seed: 4 });
  const run = (cfg: ModelConfig, step: TrainingStep): Promise<RecordedTraining> => trainRecorded(windows, cfg, step);

  for (const cfg of trajectoryCases) {
    it(`trainModel: the 'wasm' step follows the 'fast' step (${cfg.kind} ${cfg.activation} ${cfg.kind === 'dae' ? cfg.noise.kind : ''})`, async () => {
      const fast = await run(cfg, 'fast');
      const wasm = await run(cfg, 'wasm');
      assert.deepEqual(wasm.meta, fast.meta);
      assert.ok((fast.val.at(-1) ?? 0) < 0.7 * (fast.val[0] ?? 0), `training learns: ${fast.val.join(', ')}`);
      for (const [a, b, what] of [
        [wasm.loss, fast.loss, 'loss'],
        [wasm.val, fast.val, 'validation loss'],
      ] as const) {
        a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] ?? 0)) < 1e-3 * (b[i] ?? 0), `epoch ${i + 1} ${what}: wasm ${v}, fast ${b[i]}`));
      }
      wasm.weights.forEach((w, i) => {
        const d = relativeDifference(w, fast.weights[i] as Float32Array);
        assert.ok(d < 1e-3, `weights ${i}: relative difference ${d}`);
      });
      const meanOf = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
      assert.ok(Math.abs(meanOf(wasm.errors) - meanOf(fast.errors)) < 1e-3 * meanOf(fast.errors));
    });
  }

  it("trainModel: kinds the WebAssembly step does not cover take the fast step under 'wasm' (sae: the same model bit for bit)", async () => {
    const cfg = smallModelConfig({ kind: 'sae' }, { epochs: 3, patience: 20 });
    const fast = await run(cfg, 'fast');
    const wasm = await run(cfg, 'wasm');
    assert.deepEqual(wasm.loss, fast.loss);
    assert.deepEqual(wasm.weights, fast.weights);
  });
});
