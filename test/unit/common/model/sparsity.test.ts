import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { klPenalty, l1Penalty, sparsityPenalty } from '../../../../common/model/sparsity.ts';

// Code activations of a batch of 3 samples, 2 units: ρ̂ = [0.2, 0.5].
const batch = [
  [0.1, 0.5],
  [0.2, 0.4],
  [0.3, 0.6],
];
const kl = (rho: number, rhoHat: number): number => rho * Math.log(rho / rhoHat) + (1 - rho) * Math.log((1 - rho) / (1 - rhoHat));

describe('sparsity penalties', () => {
  const cases = [
    { rho: 0.05, beta: 1 },
    { rho: 0.05, beta: 3 },
    { rho: 0.2, beta: 1 },
  ];
  for (const { rho, beta } of cases) {
    it(`KL penalty for ρ=${rho}, β=${beta} equals the hand-computed value`, () => {
      // β·(KL(ρ‖0.2) + KL(ρ‖0.5)), e.g. ρ=0.05, β=1: 0.0588 + 0.3617 = 0.4205
      const expected = beta * (kl(rho, 0.2) + kl(rho, 0.5));
      const value = tf.tidy(() => klPenalty(tf.tensor2d(batch), rho, beta).dataSync()[0] ?? Number.NaN);
      assert.ok(Math.abs(value - expected) < 1e-5, `${value} vs ${expected}`);
    });
  }

  it('KL penalty is zero when every unit averages ρ', () => {
    const value = tf.tidy(() => klPenalty(tf.tensor2d([[0.05, 0.1], [0.05, 0.0]]), 0.05, 1).dataSync()[0]);
    assert.ok(Math.abs(value ?? 1) < 1e-6);
  });

  it('L1 penalty is λ · mean |h|', () => {
    const value = tf.tidy(() => l1Penalty(tf.tensor2d([[1, -2], [3, -4]]), 0.1).dataSync()[0] ?? Number.NaN);
    assert.ok(Math.abs(value - 0.25) < 1e-7);
  });

  it('sparsityPenalty picks the configured penalty', () => {
    const cfg = { rho: 0.05, beta: 1, lambda: 0.1 };
    const a = tf.tidy(() => sparsityPenalty(tf.tensor2d(batch), { ...cfg, penalty: 'kl' }).dataSync()[0]);
    const b = tf.tidy(() => sparsityPenalty(tf.tensor2d(batch), { ...cfg, penalty: 'l1' }).dataSync()[0]);
    assert.ok(Math.abs((a ?? 0) - (kl(0.05, 0.2) + kl(0.05, 0.5))) < 1e-5);
    assert.ok(Math.abs((b ?? 0) - 0.1 * (2.1 / 6)) < 1e-7);
  });

  it('allocates no lasting tensors', () => {
    const code = tf.tensor2d(batch);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      klPenalty(code, 0.05, 1).dispose();
      l1Penalty(code, 0.1).dispose();
    }
    assert.equal(tf.memory().numTensors, before);
    code.dispose();
  });
});
