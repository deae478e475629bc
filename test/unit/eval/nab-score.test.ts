import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpusPoints, nabProfileScore, optimiseThreshold, probationaryLength, scaledSigmoid, scoreAtThreshold, scoresByThreshold, sweepFile } from '../../../eval/nab-score.ts';
import type { NabFile } from '../../../eval/nab-score.ts';

const standard = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-4, `${what}: ${actual} != ${expected}`);

// Hand-worked corpus (values by hand from S(x) = 2/(1+e^{5x}) − 1):
// File A, 20 rows, window rows 10..13 (width 4), probation ⌊0.15·20⌋ = 3 rows.
//   row 0 = 1.0 (probation: ignored), row 5 = 0.8 (FP before any window: −0.11),
//   row 12 = 0.9 (in window, position −(13−12+1)/4 = −0.5: S(−0.5)/S(−1) = 0.848284/0.986614 = 0.859793),
//   row 16 = 0.6 (FP 3 rows after a width-4 window: position 3/(4−1) = 1, S(1)·0.11 = −0.108528).
// File B, 10 rows, window rows 6..7 (width 2), probation 1 row:
//   row 7 = 0.7 (right edge: position −1/2, weight 0.859793).
const fileA: NabFile = { name: 'a', scores: Array.from({ length: 20 }, (_, i) => ({ 0: 1, 5: 0.8, 12: 0.9, 16: 0.6 })[i] ?? 0), windows: [[10, 13]] };
const fileB: NabFile = { name: 'b', scores: Array.from({ length: 10 }, (_, i) => (i === 7 ? 0.7 : 0)), windows: [[6, 7]] };

describe('scaledSigmoid', () => {
  const cases: Array<[number, number]> = [
    [-1, 0.986614], // earliest possible true positive
    [-0.5, 0.848284],
    [0, 0],
    [1, -0.986614],
    [2.99, -0.999999],
    [3, -1], // NAB cuts off at 3 window lengths
  ];
  for (const [x, y] of cases) it(`S(${x}) = ${y}`, () => close(scaledSigmoid(x), y, `S(${x})`));
});

describe('probationaryLength', () => {
  const cases: Array<[number, number]> = [[20, 3], [10, 1], [4032, 604], [5000, 750], [22695, 750]];
  for (const [n, p] of cases) it(`${n} rows -> ${p}`, () => assert.equal(probationaryLength(n), p));
});

describe('sweepFile', () => {
  it('weights rows by position relative to windows', () => {
    const p = sweepFile(fileA, standard);
    assert.equal(p[0]?.window, -2); // probation
    close(p[5]?.sweep ?? NaN, -0.11, 'FP before any window');
    close(p[10]?.sweep ?? NaN, 1, 'left edge of window');
    close(p[12]?.sweep ?? NaN, 0.859793, 'middle of window');
    close(p[14]?.sweep ?? NaN, 0.11 * -0.682262, 'FP one row after window: S(1/3)·0.11');
    close(p[16]?.sweep ?? NaN, -0.108528, 'FP 3 rows after window');
    assert.equal(p[13]?.window, 0);
    assert.equal(p[14]?.window, -1);
  });
});

describe('threshold sweep and optimisation', () => {
  const points = corpusPoints([fileA, fileB], standard);
  it('scores each threshold as the rows at or above it', () => {
    const byT = new Map(scoresByThreshold(points, standard).map((s) => [s.threshold, s.score]));
    close(byT.get(Number.POSITIVE_INFINITY) ?? NaN, -2, 'nothing flagged: both windows missed');
    close(byT.get(0.9) ?? NaN, -1 + 0.859793, 't=0.9');
    close(byT.get(0.8) ?? NaN, -1 + 0.859793 - 0.11, 't=0.8');
    close(byT.get(0.7) ?? NaN, 2 * 0.859793 - 0.11, 't=0.7');
    close(byT.get(0.6) ?? NaN, 2 * 0.859793 - 0.11 - 0.108528, 't=0.6');
  });
  it('picks the best threshold over the corpus', () => {
    const best = optimiseThreshold(points, standard);
    assert.equal(best.threshold, 0.7);
    close(best.score, 1.609585, 'best raw score');
    assert.deepEqual([best.tp, best.fp], [2, 1]);
  });
  it('normalises between the null and perfect detectors', () => {
    const r = nabProfileScore([fileA, fileB], standard);
    // Null (all 0.5): flagging everything beats flagging nothing here:
    // 2 windows found at their left edge (+2), FPs: A 7·(−0.11) + 0.11·ΣS(k/3), k=1..6 = −1.385656,
    // B 5·(−0.11) + 0.11·(S(1)+S(2)) = −0.768518 → −0.154174.
    close(r.nullScore, -0.154174, 'null');
    assert.equal(r.perfectScore, 2);
    close(r.normalised, (100 * (1.609585 + 0.154174)) / (2 + 0.154174), 'normalised');
    close(r.normalised, 81.8763, 'normalised, worked out');
    close(r.perFile.a?.score ?? NaN, 0.859793 - 0.11, 'file a at the chosen threshold: window found, one FP');
    close(r.perFile.b?.score ?? NaN, 0.859793, 'file b at the chosen threshold');
  });
  it('credits only the earliest detection in a window, not the count', () => {
    const many: NabFile = { name: 'm', scores: Array.from({ length: 20 }, (_, i) => (i >= 10 && i <= 13 ? 1 : 0)), windows: [[10, 13]] };
    close(optimiseThreshold(corpusPoints([many], standard), standard).score, 1, 'whole window flagged = left edge only');
  });
});

describe("agreement with NAB's own published scores", () => {
  // NAB's results/numenta/numenta_standard_scores.csv lists, for the Numenta HTM
  // detector on realTraffic/speed_7578.csv at threshold 0.5126953125:
  // Score 1.23649741556, TP 4, TN 839, FP 3, FN 112 (1127 rows).
  // From NAB's data and labels: the label windows are rows 303–331, 740–768,
  // 909–937, 945–973; HTM's anomaly_score reaches the threshold at rows 363,
  // 632, 679 (outside windows), 754, 924, 960 and 966 (0.5450, 0.5247, 0.5868,
  // 0.5657, 0.5450, 0.5450, 0.6083); every other row is far below it.
  const detections: Record<number, number> = { 363: 0.544952, 632: 0.524651, 679: 0.586794, 754: 0.565666, 924: 0.544952, 960: 0.544952, 966: 0.608335 };
  const htm: NabFile = {
    name: 'realTraffic/speed_7578.csv',
    scores: Array.from({ length: 1127 }, (_, i) => detections[i] ?? 0.01),
    windows: [[303, 331], [740, 768], [909, 937], [945, 973]],
  };
  const cases: Array<[string, { tpWeight: number; fnWeight: number; fpWeight: number }, number]> = [
    ['standard (published)', standard, 1.23649741556],
    // the sum of the file's published S(t)_reward_low_FP_rate column
    ['reward_low_FP_rate (S(t) column sum)', { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 }, -1 - 0.21855342899 - 0.22 - 0.22 + 0.871604206333 + 2 * 0.847084961863],
  ];
  for (const [what, cost, want] of cases) {
    it(what, () => {
      const s = scoreAtThreshold(sweepFile(htm, cost).filter((p) => p.window !== -2), cost, 0.5126953125);
      close(s.score, want, what);
      assert.deepEqual([s.tp, s.tn, s.fp, s.fn], [4, 839, 3, 112]);
    });
  }
});
