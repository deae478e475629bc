import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  absorbValue,
  erfc,
  levelFor,
  likelihoodScore,
  likelihoodStep,
  normalQuantile,
  normalTail,
  rescaleTo,
  seedLikelihood,
  seedMoments,
  tailForScore,
  tailOf,
  windowsFor,
  type LikelihoodSettings,
  type LikelihoodState,
} from '../../../../common/decision/likelihood.ts';
import { createRng } from '../../../../common/rng.ts';

const close = (a: number, b: number, rel: number, what: string): void => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);

/** Standard normal draws from the project's seeded generator. */
function normals(n: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.normal());
}

/** Event time of the windows fed: one ms per window (hop 1), so newNormalAfterMs counts windows here. */
let clock = 0;
const tick = (): number => clock++;

const settings: LikelihoodSettings = { averageSamples: 1, historySamples: 100_000, distribution: 'normal', minSpread: 0, newNormalAfterMs: Number.POSITIVE_INFINITY, warmupSamples: 0, learnBelowScore: 0.3, learnAfterQuietSamples: 0, hop: 1 };

/** Feeds a stream through one estimate seeded from `held`: the shares of windows at tail < 0.01 and < 0.001, and the windows scoring ≥ 0.5. */
function streamStats(held: number[], stream: number[], s: LikelihoodSettings): { p01: number; p001: number; alarms: number } {
  let state: LikelihoodState | undefined;
  let a = 0;
  let b = 0;
  let alarms = 0;
  for (const x of stream) {
    const r = likelihoodStep(state, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, s);
    state = r.state;
    if (r.tail < 0.01) a++;
    if (r.tail < 0.001) b++;
    if (r.score >= 0.5) alarms++;
  }
  return { p01: a / stream.length, p001: b / stream.length, alarms };
}

/** Feeds a shifted stream (newNormalAfter 50): it alarms at first, is learnt as the new level, and scores low right after. */
function assertShiftLearnt(held: number[], shifted: number[], s: LikelihoodSettings): { scores: number[] } {
  let state: LikelihoodState | undefined;
  const scores: number[] = [];
  let learned = false;
  for (const x of shifted) {
    const r = likelihoodStep(state, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, s);
    state = r.state;
    learned ||= r.learnedLevel;
    scores.push(r.score);
  }
  assert.ok((scores[0] as number) > 0.9, 'the shift alarms at first');
  assert.ok(learned);
  assert.ok((scores[60] as number) < 0.5, `learnt right after newNormalAfter: ${scores[60]}`);
  return { scores };
}

describe('likelihood: tail probabilities of known distributions', () => {
  // Reference values of the standard normal's upper tail (tables).
  const table: [number, number][] = [[0, 0.5], [1, 0.158655254], [1.644853627, 0.05], [2.326347874, 0.01], [3.090232306, 0.001], [4.264890794, 1e-5], [6.361340902, 1e-10], [-1, 0.841344746]];
  for (const [z, p] of table) it(`P(Z > ${z}) = ${p}`, () => close(normalTail(z), p, 1e-5, 'tail'));
  it('erfc(0) = 1, erfc(∞) = 0, erfc(−x) = 2 − erfc(x)', () => {
    close(erfc(0), 1, 1e-7, 'erfc(0)');
    assert.ok(erfc(30) < 1e-300);
    close(erfc(-0.7), 2 - erfc(0.7), 1e-9, 'symmetry');
  });
  it('normalQuantile inverts the tail', () => {
    for (const p of [1e-10, 1e-5, 0.01, 0.3, 0.5, 0.9, 0.999]) close(normalTail(-normalQuantile(p)), p, 1e-6, `p=${p}`);
  });
  it('a mean and spread put a value at the tail its z-score says', () => {
    close(tailOf(13, 10, 4, 0), normalTail(1.5), 1e-9, 'z = 1.5');
    // The floor on the spread: 10 % of the mean.
    close(tailOf(13, 10, 1e-12, 0.1), normalTail(3), 1e-9, 'floored σ');
  });
});

describe('likelihood: the bounded score', () => {
  it('tail 1 → 0, 1e-5 → 0.5, ≤ 1e-10 → 1; monotone; inverse', () => {
    close(likelihoodScore(1), 0, 1e-6, 'tail 1');
    assert.ok(likelihoodScore(1) >= 0);
    close(likelihoodScore(1e-5), 0.5, 1e-4, 'tail 1e-5');
    assert.equal(likelihoodScore(0), 1);
    assert.ok(likelihoodScore(1e-3) < likelihoodScore(1e-4));
    for (const s of [0.1, 0.5, 0.75]) close(likelihoodScore(tailForScore(s)), s, 1e-9, `score ${s}`);
  });
});

describe('likelihood: the per-sensor estimate', () => {
  it('seed moments are those of the k-sample running averages', () => {
    const m = seedMoments([1, 2, 3, 4, 5], 2);
    // Averages 1.5, 2.5, 3.5, 4.5.
    close(m.mean, 3, 1e-12, 'mean');
    close(m.variance, 1.25, 1e-12, 'variance');
    assert.equal(m.n, 4);
    assert.equal(windowsFor(10, 16), 1);
    assert.equal(windowsFor(10, 1), 10);
  });

  it('on a normal stream the scores follow its tail: about 1 % of windows have tail < 0.01, none reaches 0.5', () => {
    const held = normals(2000, 1).map((x) => 10 + x);
    let state: LikelihoodState | undefined;
    let below = 0;
    let top = 0;
    const stream = normals(20_000, 2).map((x) => 10 + x);
    for (const x of stream) {
      const r = likelihoodStep(state, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, settings);
      state = r.state;
      if (r.tail < 0.01) below++;
      top = Math.max(top, r.score);
    }
    close(below / stream.length, 0.01, 0.2, 'share with tail < 0.01');
    assert.ok(top < 0.5, `largest score ${top}`);
  });

  it('a 6σ excursion scores above 0.75 and is not absorbed; a normal window is', () => {
    const held = normals(1000, 3).map((x) => 10 + x);
    const seeded = likelihoodStep(undefined, { model: 'm@1', step: 10, heldOut: () => held, usable: true, time: tick() }, settings).state;
    const spike = likelihoodStep(seeded, { model: 'm@1', step: 16.5, heldOut: () => held, usable: true, time: tick() }, settings);
    assert.ok(spike.score > 0.75, `score ${spike.score}`);
    assert.equal(spike.state.n, seeded.n, 'the excursion is not learnt');
    assert.equal(spike.state.excluded, 1);
    const calm = likelihoodStep(spike.state, { model: 'm@1', step: 10.2, heldOut: () => held, usable: true, time: tick() }, settings);
    assert.equal(calm.state.n, seeded.n + 1);
    assert.equal(calm.state.excluded, 0);
  });

  it('a level shift longer than newNormalAfter is learnt: the score falls back and learnedLevel says so', () => {
    const s = { ...settings, newNormalAfterMs: 50, historySamples: 200 };
    const held = normals(500, 4).map((x) => 10 + x);
    const { scores } = assertShiftLearnt(held, normals(2000, 5).map((x) => 20 + x), s);
    const tailMean = scores.slice(-200).reduce((a, b) => a + b, 0) / 200;
    assert.ok(tailMean < 0.3, `scores at the end ${tailMean}`);
  });

  it('learnAfterQuietSamples: an excursion that is over is learnt once the sensor has been quiet that long; short dips do not end it', () => {
    const s = { ...settings, learnAfterQuietSamples: 5 };
    const held = normals(1000, 3).map((x) => 10 + x);
    const step = (st: LikelihoodState | undefined, x: number): ReturnType<typeof likelihoodStep> => likelihoodStep(st, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, s);
    let r = step(undefined, 10);
    const seeded = r.state;
    // An excursion of three windows at 16, a dip of two quiet windows, two more at 16.
    for (const x of [16, 16, 16, 10, 10, 16, 16]) r = step(r.state, x);
    assert.equal(r.state.excluded, 5, 'the dip does not restart the count');
    assert.equal(r.state.pending?.n, 5);
    close(r.state.pending?.mean as number, 16, 1e-12, 'pending mean');
    assert.equal(r.state.n, seeded.n + 2, 'only the quiet windows were absorbed so far');
    const before = r.state;
    for (let i = 0; i < 4; i++) r = step(r.state, 10);
    assert.equal(r.state.pending?.n, 5, 'four quiet windows: still waiting');
    r = step(r.state, 10);
    assert.equal(r.state.pending, undefined, 'the fifth: learnt');
    assert.equal(r.state.excluded, 0);
    assert.equal(r.state.n, before.n + 5 + 5, 'five quiet windows and the five of the excursion');
    assert.ok(r.state.variance > before.variance * 1.05, `the spread widened: ${before.variance} → ${r.state.variance}`);
    // The same excursion again scores lower than the first time.
    assert.ok(step(r.state, 16).score < step(seeded, 16).score);
  });

  it('learnAfterQuietSamples: a persistent excursion is never learnt from its dips, and meets newNormalAfter over its whole length', () => {
    const s = { ...settings, learnAfterQuietSamples: 5, newNormalAfterMs: 40 };
    const held = normals(1000, 3).map((x) => 10 + x);
    let r = likelihoodStep(undefined, { model: 'm@1', step: 10, heldOut: () => held, usable: true, time: tick() }, s);
    let learnt = -1;
    // 4 windows at 16 then 2 quiet ones, over and over: consecutive runs never last 40 ms (one per window), the excursion does.
    for (let i = 0; i < 80 && learnt < 0; i++) {
      r = likelihoodStep(r.state, { model: 'm@1', step: i % 6 < 4 ? 16 : 10, heldOut: () => held, usable: true, time: tick() }, s);
      if (r.learnedLevel) learnt = i;
    }
    // Windows 40 and 41 are dips (absorbed); window 42, 42 ms after the first kept out, is learnt as the new level.
    assert.equal(learnt, 7 * 6, 'the first window kept out 40 ms or more after the excursion began is learnt as the new level');
  });

  it('capScore: an excursion is learnt at most at the level that scores capScore, so one huge excursion does not hide the next', () => {
    const held = normals(1000, 3).map((x) => 10 + x);
    const run = (capScore: number | undefined): { pendingMean: number; second: number } => {
      const s = { ...settings, learnAfterQuietSamples: 3, ...(capScore === undefined ? {} : { capScore }) };
      let r = likelihoodStep(undefined, { model: 'm@1', step: 10, heldOut: () => held, usable: true, time: tick() }, s);
      for (const x of [1000, 1000]) r = likelihoodStep(r.state, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, s);
      const pendingMean = r.state.pending?.mean as number;
      for (let i = 0; i < 3; i++) r = likelihoodStep(r.state, { model: 'm@1', step: 10, heldOut: () => held, usable: true, time: tick() }, s);
      assert.equal(r.state.pending, undefined, 'learnt');
      return { pendingMean, second: likelihoodStep(r.state, { model: 'm@1', step: 30, heldOut: () => held, usable: true, time: tick() }, s).score };
    };
    const capped = run(0.5);
    // The level scoring 0.5 is the tail 1e-5: about 4.26 σ above the mean.
    close(capped.pendingMean, 10 + 4.26, 0.02, 'capped at the open level');
    assert.ok(capped.second > 0.75, `a 20σ excursion after a capped one still alarms: ${capped.second}`);
    const uncapped = run(undefined);
    assert.equal(uncapped.pendingMean, 1000);
    assert.ok(uncapped.second < 0.5, `uncapped, the first excursion blinds the estimate: ${uncapped.second}`);
  });

  it('warmupSamples: every window is absorbed for that long after seeding, then excursions are kept out', () => {
    const s = { ...settings, warmupSamples: 3 };
    const held = normals(1000, 3).map((x) => 10 + x);
    let r = likelihoodStep(undefined, { model: 'm@1', step: 20, heldOut: () => held, usable: true, time: tick() }, s);
    const n0 = r.state.n;
    for (const x of [20, 20]) r = likelihoodStep(r.state, { model: 'm@1', step: x, heldOut: () => held, usable: true, time: tick() }, s);
    assert.equal(r.state.n, n0 + 2, 'the first three windows are absorbed, however high');
    r = likelihoodStep(r.state, { model: 'm@1', step: 40, heldOut: () => held, usable: true, time: tick() }, s);
    assert.equal(r.state.n, n0 + 2, 'the fourth is kept out');
    assert.equal(r.state.excluded, 1);
  });

  it('warmupSamples with capScore: an excursion under way from the first window is learnt capped, and goes on alarming', () => {
    const held = normals(1000, 3).map((x) => 10 + x);
    const last = (capScore: number | undefined): number => {
      const s = { ...settings, warmupSamples: 100, ...(capScore === undefined ? {} : { capScore }) };
      let r: ReturnType<typeof likelihoodStep> | undefined;
      for (let i = 0; i < 200; i++) r = likelihoodStep(r?.state, { model: 'm@1', step: 1000, heldOut: () => held, usable: true, time: tick() }, s);
      return (r as ReturnType<typeof likelihoodStep>).score;
    };
    assert.ok(last(0.5) > 0.75, `capped: still alarming after the warm-up (${last(0.5)})`);
    assert.ok(last(undefined) < 0.5, `uncapped, the warm-up learns it as normal (${last(undefined)})`);
  });

  it('a new model rescales an excursion in waiting with the estimate', () => {
    const s = { ...settings, learnAfterQuietSamples: 5 };
    const held = [2, 2, 2, 4, 4, 4];
    let r = likelihoodStep(undefined, { model: 'm@1', step: 3, heldOut: () => held, usable: true, time: tick() }, s);
    r = likelihoodStep(r.state, { model: 'm@1', step: 40, heldOut: () => held, usable: true, time: tick() }, s);
    const moved = rescaleTo(r.state, 'm@2', seedLikelihood('m@2', held.map((x) => 3 * x), s));
    close(moved.pending?.mean as number, 120, 1e-12, 'pending mean × 3');
  });

  it('an unusable (faulty) or non-finite window leaves the estimate alone', () => {
    const held = [1, 2, 3, 2, 1];
    const a = likelihoodStep(undefined, { model: 'm@1', step: 2, heldOut: () => held, usable: true, time: tick() }, settings).state;
    assert.deepEqual(likelihoodStep(a, { model: 'm@1', step: 50, heldOut: () => held, usable: false, time: tick() }, settings).state, a);
    const nan = likelihoodStep(a, { model: 'm@1', step: Number.NaN, heldOut: () => held, usable: true, time: tick() }, settings);
    assert.ok(Number.isNaN(nan.score));
    assert.deepEqual(nan.state, a);
  });

  it('a new model rescales the carried estimate by the ratio of held-out means', () => {
    const old = absorbValue(seedLikelihood('m@1', [2, 2, 2, 4, 4, 4], settings), 3, 1000);
    const seed = seedLikelihood('m@2', [6, 6, 6, 12, 12, 12], settings);
    const r = rescaleTo(old, 'm@2', seed);
    close(r.mean, old.mean * 3, 1e-12, 'mean × 3');
    close(r.variance, old.variance * 9, 1e-12, 'variance × 9');
    assert.equal(r.n, old.n, 'history kept');
    assert.equal(r.model, 'm@2');
  });
});

describe('likelihood: the lognormal shape', () => {
  const logSettings: LikelihoodSettings = { ...settings, distribution: 'lognormal' };
  /** Lognormal draws: exp(μ + σ·Z). */
  const lognormals = (n: number, seed: number, mu: number, sigma: number): number[] => normals(n, seed).map((z) => Math.exp(mu + sigma * z));

  it('seed moments are those of the log of the k-sample averages', () => {
    const m = seedMoments([1, Math.E, Math.E ** 2], 1, 'log');
    close(m.mean, 1, 1e-12, 'mean of logs');
    close(m.variance, 2 / 3, 1e-12, 'variance of logs');
    const seeded = seedLikelihood('m@1', [1, Math.E, Math.E ** 2], logSettings);
    assert.equal(seeded.space, 'log');
    close(seeded.seedMean, Math.E, 1e-12, 'seedMean on the scale of m (exp of the mean log)');
  });

  it('a value exp(μ + zσ) of a known lognormal has the tail of z', () => {
    const held = lognormals(20_000, 11, -2, 0.5);
    const seeded = likelihoodStep(undefined, { model: 'm@1', step: Math.exp(-2), heldOut: () => held, usable: true, time: tick() }, logSettings).state;
    for (const z of [1, 2.326347874, 4.264890794]) {
      const r = likelihoodStep(seeded, { model: 'm@1', step: Math.exp(-2 + z * 0.5), heldOut: () => held, usable: true, time: tick() }, logSettings);
      close(r.tail, normalTail(z), 0.05, `z = ${z}`);
    }
  });

  it('on a skewed stream the lognormal keeps its tail where a normal fit alarms', () => {
    const held = lognormals(2000, 12, 0, 0.6);
    const stream = lognormals(20_000, 13, 0, 0.6);
    const log = streamStats(held, stream, logSettings);
    close(log.p01, 0.01, 0.2, 'lognormal: share with tail < 0.01');
    assert.equal(log.alarms, 0, 'lognormal: no score reaches 0.5');
    const normal = streamStats(held, stream, settings);
    assert.ok(normal.alarms > 20, `a normal fit to the same stream alarms (${normal.alarms} windows at ≥ 0.5)`);
  });

  it('minSpread floors σ of log m: a relative spread', () => {
    const flat = [2, 2, 2, 2];
    const seeded = likelihoodStep(undefined, { model: 'm@1', step: 2, heldOut: () => flat, usable: true, time: tick() }, { ...logSettings, minSpread: 0.1 }).state;
    const r = likelihoodStep(seeded, { model: 'm@1', step: 2 * Math.exp(0.3), heldOut: () => flat, usable: true, time: tick() }, { ...logSettings, minSpread: 0.1 });
    close(r.tail, normalTail(3), 1e-6, 'log-ratio 0.3 over σ 0.1');
  });

  it('levelFor inverts the tail in either space', () => {
    const held = lognormals(5000, 14, 1, 0.4);
    for (const s of [settings, logSettings]) {
      const seeded = likelihoodStep(undefined, { model: 'm@1', step: Math.E, heldOut: () => held, usable: true, time: tick() }, s).state;
      const level = levelFor(seeded, s.minSpread, 1e-5);
      const r = likelihoodStep(seeded, { model: 'm@1', step: level, heldOut: () => held, usable: true, time: tick() }, s);
      close(r.tail, 1e-5, 1e-3, `${s.distribution}: tail at the level`);
    }
  });

  it('a new model shifts the log mean by the log of the ratio; an estimate of the other shape is seeded again', () => {
    const old = absorbValue(seedLikelihood('m@1', [2, 2, 4, 4], logSettings), Math.log(3), 1000);
    const seed = seedLikelihood('m@2', [6, 6, 12, 12], logSettings);
    const r = rescaleTo(old, 'm@2', seed);
    close(r.mean, old.mean + Math.log(3), 1e-12, 'log mean + log 3');
    close(r.variance, old.variance, 1e-12, 'log variance kept');
    assert.equal(r.n, old.n, 'history kept');
    const normalState = seedLikelihood('m@1', [2, 2, 4, 4], settings);
    const next = likelihoodStep(normalState, { model: 'm@1', step: 3, heldOut: () => [2, 2, 4, 4], usable: true, time: tick() }, logSettings);
    assert.equal(next.state.space, 'log', 'a normal-shape state (written before the key, or under the other setting) is re-seeded');
    assert.equal(next.state.n, 5);
  });

  it('a lognormal level shift longer than newNormalAfter is learnt', () => {
    const s = { ...logSettings, newNormalAfterMs: 50, historySamples: 200 };
    assertShiftLearnt(lognormals(500, 15, 0, 0.2), lognormals(1000, 16, 3, 0.2), s);
  });
});

describe('likelihood: the cube-root shape (Wilson–Hilferty, the default)', () => {
  const shape = (distribution: LikelihoodSettings['distribution']): LikelihoodSettings => ({ ...settings, distribution, learnBelowScore: 1 });
  /** Scaled chi-square draws χ²_k / k: what a mean of k squared normal residuals is. */
  function chiSquares(n: number, k: number, seed: number): number[] {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += rng.normal() ** 2;
      return sum / k;
    });
  }
  const tailShares = (k: number, s: LikelihoodSettings): { p01: number; p001: number } => streamStats(chiSquares(5000, k, 100 + k), chiSquares(50_000, k, 200 + k), s);

  for (const k of [4, 16]) {
    it(`on χ²_${k}/${k} errors its tails are the true ones; a normal's are too light, a lognormal's too heavy`, () => {
      const cube = tailShares(k, shape('cube_root'));
      close(cube.p01, 0.01, 0.25, 'cube root: share with tail < 0.01');
      close(cube.p001, 0.001, 0.5, 'cube root: share with tail < 0.001');
      const normal = tailShares(k, shape('normal'));
      assert.ok(normal.p001 > 0.003, `normal: ${normal.p001} of windows at tail < 0.001 (false alarms)`);
      const log = tailShares(k, shape('lognormal'));
      assert.ok(log.p01 < 0.005, `lognormal: only ${log.p01} at tail < 0.01 (slow to alarm)`);
    });
  }

  it('moments of m^(1/3); a new model scales them by r^(1/3); the level inverts the tail', () => {
    const s = shape('cube_root');
    const seeded = seedLikelihood('m@1', [1, 8, 27], s);
    assert.equal(seeded.space, 'cbrt');
    close(seeded.mean, 2, 1e-12, 'mean of cube roots');
    close(seeded.seedMean, 8, 1e-12, 'seedMean on the scale of m');
    const r = rescaleTo(seeded, 'm@2', seedLikelihood('m@2', [8, 64, 216], s));
    close(r.mean, 4, 1e-12, 'mean × 8^(1/3)');
    close(r.variance, seeded.variance * 4, 1e-12, 'variance × 8^(2/3)');
    const level = levelFor(seeded, 0, 1e-5);
    close(likelihoodStep(seeded, { model: 'm@1', step: level, heldOut: () => [1, 8, 27], usable: true, time: tick() }, s).tail, 1e-5, 1e-3, 'tail at the level');
  });

  it('minSpread is a relative spread of m: a flat seed alarms 3 spreads up only', () => {
    const s = { ...shape('cube_root'), minSpread: 0.1 };
    const seeded = seedLikelihood('m@1', [8, 8, 8], s);
    // σ_y = 0.1 · 2 / 3; m = (2 + 3σ_y)³ is 3 σ_y above.
    const m = (2 + 3 * (0.2 / 3)) ** 3;
    close(likelihoodStep(seeded, { model: 'm@1', step: m, heldOut: () => [8, 8, 8], usable: true, time: tick() }, s).tail, normalTail(3), 1e-6, 'tail');
  });
});
