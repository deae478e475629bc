// The forward pass outside TF.js (forward-js.ts, dense-simd.ts) must score
// exactly what TF.js scores, within float32 rounding: small batches take it,
// large ones TF.js, and a threshold calibrated on one holds for the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import type { Logger } from '../../../../common/log.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { buildAutoencoder } from '../../../../common/model/build.ts';
import { residualSums } from '../../../../common/model/forward-block.ts';
import { buildDenseForward, denseChainProblem, denseForwardFor } from '../../../../common/model/forward-js.ts';
import { forwardThreads } from '../../../../common/model/forward-threads.ts';
import { jsForwardMaxBatch, scoreWindows, threadsFrom, type WindowScore } from '../../../../common/model/score.ts';
import type { TrainResult } from '../../../../common/model/train.ts';
import { createRng } from '../../../../common/rng.ts';
import { syntheticWindows, trainSmall } from './synthetic.ts';

// float32 in both; only the summation order differs. Errors are sums of squares
// (no cancellation): relative. Reconstructed values can cancel to near zero: absolute.
const relativeTolerance = 1e-4;
const valueTolerance = 1e-5;

function closeValue(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= valueTolerance * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

function close(a: number, b: number, what: string): void {
  assert.ok(Number.isFinite(a) && Number.isFinite(b), `${what}: ${a} vs ${b}`);
  assert.ok(Math.abs(a - b) <= relativeTolerance * Math.max(Math.abs(a), Math.abs(b), 1e-6), `${what}: ${a} vs ${b}`);
}

function sameScores(js: readonly WindowScore[], tfjs: readonly WindowScore[]): void {
  assert.equal(js.length, tfjs.length);
  js.forEach((s, i) => {
    const t = tfjs[i] as WindowScore;
    close(s.error, t.error, `window ${i} error`);
    close(s.step, t.step, `window ${i} step`);
    close(s.stepMax, t.stepMax, `window ${i} stepMax`);
    s.contributions.forEach((c, k) => close(c, t.contributions[k] as number, `window ${i} contribution ${k}`));
    s.stepContributions.forEach((c, k) => close(c, t.stepContributions[k] as number, `window ${i} step contribution ${k}`));
  });
}

function collectingLogger(lines: string[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (msg) => void lines.push(msg),
    warn: (msg) => void lines.push(msg),
    error: (msg) => void lines.push(msg),
    child: () => logger,
  };
  return logger;
}

/** Random inputs, flat [n, width]. */
function inputs(n: number, width: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * width }, () => rng.normal());
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`forward pass outside TF.js (${backend} backend)`, () => {
    let trained: TrainResult;
    const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 12, seed: 9 });
    before(async () => {
      await initBackend(backend);
      trained = await trainSmall({ epochs: 2 });
    });
    after(() => trained.model.dispose());

    it('scores a trained model as TF.js does, window by window and as a batch', () => {
      const viaTf = scoreWindows(trained.model, windows, { stepSamples: 4, jsForwardMaxBatch: 0 });
      const viaJs = scoreWindows(trained.model, windows, { stepSamples: 4, jsForwardMaxBatch: windows.length });
      sameScores(viaJs, viaTf);
      const one = windows.flatMap((w) => scoreWindows(trained.model, [w], { stepSamples: 4, jsForwardMaxBatch: 1 }));
      sameScores(one, viaTf);
      // Something was learnt, so the comparison is not between two zeros.
      assert.ok(viaTf.every((s) => s.error > 0));
    });

    it('the SIMD kernel, the plain-JS one and TF.js agree on odd layer sizes, every activation', () => {
      for (const [kind, activation] of [['dense', 'relu'], ['dae', 'tanh'], ['sae', 'sigmoid']] as const) {
        const cfg: ModelConfig = { ...defaultConfig.model, kind, activation, hidden: [10, 7], codeSize: 3 };
        const { net } = buildAutoencoder(cfg, { length: 15, channels: 3 }, 17);
        try {
          const x = inputs(5, 45, 3);
          const expected = tf.tidy(() => (net.predict(tf.tensor2d(x, [5, 45])) as tf.Tensor).dataSync());
          for (const simd of [true, false]) {
            const { forward } = buildDenseForward(net, { simd });
            assert.ok(forward !== null);
            if (!simd) assert.equal(forward.kernel, 'plain js');
            for (let i = 0; i < 5; i++) {
              const got = forward.run(x, i * 45);
              for (let k = 0; k < 45; k++) closeValue(got[k] as number, expected[i * 45 + k] as number, `${kind}/${activation} ${forward.kernel} window ${i} value ${k}`);
            }
          }
        } finally {
          net.dispose();
        }
      }
    });

    it('the batched SIMD pass, on one thread and on two, agrees with TF.js and with the window-by-window pass on random weights', () => {
      // The reference layout (64 × 8, 512 → 128 → 32 → 128 → 512) and odd sizes (width 45: inputs padded to 4,
      // units to 8), each activation; batches that are not a multiple of four, span several blocks of 32
      // and (1,100 rows) several chunks of 1,024.
      const cases = [
        { kind: 'dense', activation: 'relu', hidden: [128], codeSize: 32, length: 64, channels: 8, rows: 37 },
        { kind: 'dense', activation: 'relu', hidden: [128], codeSize: 32, length: 64, channels: 8, rows: 1100 },
        { kind: 'dense', activation: 'relu', hidden: [10, 7], codeSize: 3, length: 15, channels: 3, rows: 5 },
        { kind: 'dae', activation: 'tanh', hidden: [10, 7], codeSize: 3, length: 15, channels: 3, rows: 70 },
        { kind: 'sae', activation: 'sigmoid', hidden: [9], codeSize: 5, length: 7, channels: 2, rows: 3 },
      ] as const;
      for (const c of cases) {
        const cfg: ModelConfig = { ...defaultConfig.model, kind: c.kind, activation: c.activation, hidden: [...c.hidden], codeSize: c.codeSize };
        const width = c.length * c.channels;
        const { net } = buildAutoencoder(cfg, { length: c.length, channels: c.channels }, 23);
        try {
          // Random weights (biases too, which the initialiser leaves at zero), kernels scaled by 1/√fan-in so values stay O(1).
          const rng = createRng(31);
          const scaleOf = (w: tf.Tensor): number => (w.rank === 2 ? 1 / Math.sqrt(w.shape[0] as number) : 0.1);
          net.setWeights(net.getWeights().map((w) => tf.tidy(() => tf.tensor(Float32Array.from({ length: w.size }, () => rng.normal() * scaleOf(w)), w.shape))));
          const x = inputs(c.rows, width, 8);
          const expected = tf.tidy(() => (net.predict(tf.tensor2d(x, [c.rows, width])) as tf.Tensor).dataSync() as Float32Array);
          const { forward } = buildDenseForward(net);
          assert.ok(forward !== null);
          if (forward.scoreBatch === undefined) {
            assert.equal(forward.kernel, 'plain js', 'only the plain-JS pass lacks the batched one');
            continue;
          }
          const single = buildDenseForward(net).forward as NonNullable<typeof forward>;
          const C = c.channels;
          const S = 3;
          const sums = (threads: number): { perChannel: Float64Array; newest: Float64Array; ran: number } => {
            const perChannel = new Float64Array(c.rows * C);
            const newest = new Float64Array(c.rows * C);
            const fill = (i: number, out: Float32Array, at: number): void => out.set(x.subarray(i * width, (i + 1) * width), at);
            const ran = forward.scoreBatch?.({ n: c.rows, fill, windowLength: c.length, channels: C, stepSamples: S, perChannel, newest, threads }) ?? 0;
            return { perChannel, newest, ran };
          };
          const one = sums(1);
          const two = sums(2);
          assert.equal(one.ran, 1);
          assert.equal(two.ran, c.rows > 32 ? forwardThreads() : 1, "two threads where there are two blocks of 32 or more");
          // Two threads run the same kernel in the same order per window: bit-identical.
          assert.deepEqual(two.perChannel, one.perChannel, `${c.kind}: two threads vs one, error shares`);
          assert.deepEqual(two.newest, one.newest, `${c.kind}: two threads vs one, newest samples`);
          let nonZero = 0;
          const pTf = new Float64Array(C);
          const nTf = new Float64Array(C);
          const pOne = new Float64Array(C);
          const nOne = new Float64Array(C);
          for (let r = 0; r < c.rows; r++) {
            residualSums(x, r * width, expected, r * width, c.length, C, S, pTf, 0, nTf, 0);
            residualSums(x, r * width, single.run(x, r * width), 0, c.length, C, S, pOne, 0, nOne, 0);
            for (let k = 0; k < C; k++) {
              const what = `${c.kind}/${c.activation} ${width} wide, window ${r} channel ${k}`;
              close(one.perChannel[r * C + k] as number, pTf[k] as number, `${what} error share vs TF.js`);
              close(one.newest[r * C + k] as number, nTf[k] as number, `${what} newest vs TF.js`);
              close(one.perChannel[r * C + k] as number, pOne[k] as number, `${what} error share vs one window`);
              close(one.newest[r * C + k] as number, nOne[k] as number, `${what} newest vs one window`);
            }
          }
          for (let i = 0; i < c.rows * width; i++) if (expected[i] !== 0) nonZero++;
          assert.ok(nonZero > (c.rows * width) / 2, `${c.kind}: the outputs are not mostly zero`);
        } finally {
          net.dispose();
        }
      }
    });

    it('scores as many windows on two threads as on one, bit for bit, and a bad window in a threaded batch is an error that names it', () => {
      const many = syntheticWindows({ sensors: 4, windowsPerSensor: 80, seed: 3 });
      const oneThread = scoreWindows(trained.model, many, { stepSamples: 4, threadsFrom: Number.POSITIVE_INFINITY });
      const twoThreads = scoreWindows(trained.model, many, { stepSamples: 4, threadsFrom: 64 });
      assert.deepEqual(twoThreads, oneThread);
      const viaTf = scoreWindows(trained.model, many, { stepSamples: 4, jsForwardMaxBatch: 0 });
      sameScores(twoThreads, viaTf);
      const bad = many.map((w, i) => (i === 200 ? { ...w, samples: w.samples.slice(0, w.channels.length * 3) } : w));
      const w200 = many[200] as (typeof many)[number];
      assert.throws(() => scoreWindows(trained.model, bad, { stepSamples: 4, threadsFrom: 64 }), new RegExp(`window ${w200.sensorId}#${w200.seq} has 3 samples per channel`));
      // The pass is usable after the error.
      assert.deepEqual(scoreWindows(trained.model, many, { stepSamples: 4, threadsFrom: 64 }), oneThread);
    });

    it('reads the weights again once they are reassigned', () => {
      const cfg: ModelConfig = { ...defaultConfig.model, kind: 'dense', hidden: [8], codeSize: 4 };
      const { net } = buildAutoencoder(cfg, { length: 4, channels: 2 }, 5);
      try {
        const x = inputs(1, 8, 4);
        const first = Float32Array.from(denseForwardFor(net).forward?.run(x, 0) ?? []);
        assert.equal(denseForwardFor(net), denseForwardFor(net), 'cached while the weights stand');
        const last = net.layers[net.layers.length - 1] as tf.layers.Layer;
        last.setWeights(last.getWeights().map((w) => tf.tidy(() => w.mul(2))));
        const second = denseForwardFor(net).forward?.run(x, 0) ?? new Float32Array(0);
        const expected = tf.tidy(() => (net.predict(tf.tensor2d(x, [1, 8])) as tf.Tensor).dataSync());
        for (let k = 0; k < 8; k++) closeValue(second[k] as number, expected[k] as number, `value ${k}`);
        assert.notDeepEqual(Array.from(second), Array.from(first));
      } finally {
        net.dispose();
      }
    });

    it('says once per model which path serves which batch', () => {
      const lines: string[] = [];
      const log = collectingLogger(lines);
      for (let i = 0; i < 3; i++) scoreWindows(trained.model, windows.slice(0, 2), { stepSamples: 1, log });
      assert.equal(lines.length, 1);
      const max = jsForwardMaxBatch();
      const threads = forwardThreads() === 2 && threadsFrom <= max ? `; from ${threadsFrom} windows on 2 threads` : '';
      const expected =
        max === Number.POSITIVE_INFINITY
          ? `scoring: model default v1: js forward for every batch (${backend} backend is slower at every size)${threads}`
          : `scoring: model default v1: js forward for batches ≤ ${max}, ${backend} above${threads}`;
      assert.equal(lines[0], expected);
    });
  });
}

describe('forward pass outside TF.js: models it cannot run', () => {
  before(async () => {
    await initBackend('wasm');
  });

  it('a conv model stays on TF.js and the log says why', () => {
    const cfg: ModelConfig = { ...defaultConfig.model, kind: 'conv', hidden: [8], codeSize: 4, conv: { filters: [4], kernelSize: 3 } };
    const { net } = buildAutoencoder(cfg, { length: 8, channels: 2 }, 3);
    try {
      const plan = denseForwardFor(net);
      assert.equal(plan.forward, null);
      assert.match(plan.reason ?? '', /layer .* is Reshape/);
      assert.equal(denseChainProblem(net), plan.reason);
    } finally {
      net.dispose();
    }
  });
});
