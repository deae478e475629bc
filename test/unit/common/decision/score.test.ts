import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThresholdSource } from '../../../../common/calibration/thresholds.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ThresholdMethod } from '../../../../common/config/types.ts';
import { adaptiveSettings, adaptiveStep } from '../../../../common/decision/adaptive.ts';
import { levelFor, likelihoodStep, tailForScore } from '../../../../common/decision/likelihood.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { ratioScore, scoreWindow, type ScoreInput, type WindowErrors } from '../../../../common/decision/score.ts';

const heldOut = Array.from({ length: 60 }, (_, i) => 0.05 + 0.001 * (i % 10));
const heldOutSteps = Array.from({ length: 60 }, (_, i) => 0.2 + 0.01 * (i % 10));
const source: ThresholdSource = {
  thresholds: { model: { value: 0.1, method: 'static', details: {} }, perSensor: { s2: { value: 0.2, method: 'static', details: {} } } },
  calibration: { errors: heldOut, perSensorErrors: {}, steps: { stepSamples: 1, mean: { s1: heldOutSteps.map((e) => e / 2) }, max: { s1: heldOutSteps } }, ranges: { s1: { low: [0], high: [10] } } },
};
const model = { key: 'k', version: 1, calibration: source };
const errors = (error: number, step = error, stepMax = step): WindowErrors => ({ error, step, stepMax });

function input(method: ThresholdMethod, e: WindowErrors, more: Partial<ScoreInput> & { likelihood?: Partial<ScoreInput['policy']['likelihood']> } = {}): ScoreInput {
  const { likelihood, ...rest } = more;
  const base = mergePolicy(defaultConfig, rest.sensorId ?? 's1', 1);
  const policy = {
    ...base,
    thresholds: { ...base.thresholds, method },
    likelihood: { ...base.likelihood, averageSamples: 1, warmupSamples: 0, learnAfterQuietSamples: 0, ...likelihood },
    novelty: { ...base.novelty, enabled: false },
  };
  return { sensorId: 's1', errors: e, model, policy, usable: true, level: 0.5, time: 0, ...rest };
}

describe('ratioScore', () => {
  it('maps r to r / (1 + r): the threshold scores 0.5, three times it 0.75', () => {
    assert.deepEqual([0, 1, 3, 9].map(ratioScore), [0, 0.5, 0.75, 0.9]);
    assert.equal(ratioScore(Number.POSITIVE_INFINITY), 1);
    assert.ok(Number.isNaN(ratioScore(Number.NaN)));
  });
});

describe('scoreWindow: raw-error methods', () => {
  it('static: the model threshold, else the sensor\'s own calibrated one', () => {
    const s1 = scoreWindow({}, input('static', errors(0.3)));
    assert.deepEqual([s1.score, s1.error, s1.threshold, s1.errorKind, s1.learnedLevel], [0.75, 0.3, 0.1, 'window', false]);
    assert.ok(Number.isNaN(s1.stepError));
    const s2 = scoreWindow({}, input('static', errors(0.2), { sensorId: 's2' }));
    assert.deepEqual([s2.score, s2.threshold], [0.5, 0.2]);
    assert.deepEqual(s1.state, {}, 'the raw methods keep no state');
  });

  it('judges the whole-window error, not the per-step one', () => {
    assert.equal(scoreWindow({}, input('quantile', errors(0.1, 5, 9))).score, 0.5);
  });

  it('a NaN error scores NaN', () => {
    assert.ok(Number.isNaN(scoreWindow({}, input('static', errors(Number.NaN))).score));
  });

  it('adaptive: the threshold and state of adaptiveStep, seeded from the held-out errors', () => {
    const i = input('adaptive', errors(0.4));
    const r = scoreWindow({}, i);
    const expected = adaptiveStep(undefined, { model: 'k@1', error: 0.4, calibrated: 0.1, heldOut: () => heldOut, usable: true }, adaptiveSettings(i.policy.adaptive));
    assert.equal(r.threshold, expected.threshold);
    assert.equal(r.score, ratioScore(0.4 / expected.threshold));
    assert.deepEqual(r.state.adaptive, expected.state);
  });
});

describe('scoreWindow: likelihood', () => {
  it('window error: likelihoodStep seeded from the held-out window errors, threshold at the open level', () => {
    const i = input('likelihood', errors(0.09, 0.5, 0.6), { likelihood: { error: 'window' } });
    const r = scoreWindow({}, i);
    const l = { ...i.policy.likelihood, hop: 1, capScore: 0.5, newNormalAfterMs: i.policy.newNormalAfterMs };
    const direct = likelihoodStep(undefined, { model: 'k@1', step: 0.09, heldOut: () => heldOut, usable: true, time: 0 }, l);
    assert.equal(r.score, direct.score);
    assert.equal(r.error, 0.09);
    assert.equal(r.threshold, levelFor(direct.state, l.minSpread, tailForScore(0.5)));
    assert.equal(r.errorKind, 'window');
    assert.deepEqual(r.state.likelihood, direct.state);
    assert.equal(r.state.stepLikelihood, undefined);
    assert.ok(r.score > 0.5 && r.threshold > 0.055 && r.threshold < 0.09, `0.09 is far above held-out ~0.055: score ${r.score}, threshold ${r.threshold}`);
  });

  it('step error: the channel combination picks step or stepMax, seeded from that held-out step list', () => {
    const max = scoreWindow({}, input('likelihood', errors(100, 0.2, 0.25), { likelihood: { error: 'step', combine: 'max', distribution: 'normal' } }));
    assert.equal(max.errorKind, 'step');
    assert.equal(max.error, 0.25);
    assert.ok(Math.abs((max.state.likelihood?.seedMean ?? 0) - 0.245) < 1e-9, String(max.state.likelihood?.seedMean));
    const mean = scoreWindow({}, input('likelihood', errors(100, 0.2, 0.25), { likelihood: { error: 'step', combine: 'mean', distribution: 'normal' } }));
    assert.equal(mean.error, 0.2);
    assert.ok(Math.abs((mean.state.likelihood?.seedMean ?? 0) - 0.1225) < 1e-9, String(mean.state.likelihood?.seedMean));
  });

  it('both: the larger score of the two estimates, the step pair reported apart', () => {
    const window = scoreWindow({}, input('likelihood', errors(0.055, 0.9, 0.9), { likelihood: { error: 'window' } }));
    const step = scoreWindow({}, input('likelihood', errors(0.055, 0.9, 0.9), { likelihood: { error: 'step', combine: 'max' } }));
    const both = scoreWindow({}, input('likelihood', errors(0.055, 0.9, 0.9), { likelihood: { error: 'both', combine: 'max' } }));
    assert.ok(step.score > window.score, `${step.score} > ${window.score}`);
    assert.equal(both.score, step.score);
    assert.deepEqual([both.error, both.errorKind, both.stepError], [0.055, 'window', 0.9]);
    assert.equal(both.threshold, window.threshold);
    assert.equal(both.stepThreshold, step.threshold);
    assert.deepEqual(both.state.likelihood, window.state.likelihood);
    assert.deepEqual(both.state.stepLikelihood, step.state.likelihood);
    const nanWindow = scoreWindow({}, input('likelihood', errors(Number.NaN, 0.9, 0.9), { likelihood: { error: 'both', combine: 'max' } }));
    assert.equal(nanWindow.score, step.score, 'a NaN window score gives way to the step score');
  });
});

describe('scoreWindow: new extremes', () => {
  it('a value beyond the training range scores 1 whatever the method, and widens the range', () => {
    const i = input('static', errors(0.01));
    i.policy.novelty = { enabled: true, tolerance: 0.1 };
    const inside = scoreWindow({}, { ...i, extremes: { channels: ['c'], low: [1], high: [9] } });
    assert.deepEqual([inside.score, inside.novelty], [ratioScore(0.01 / 0.1), null]);
    const beyond = scoreWindow(inside.state, { ...i, extremes: { channels: ['c'], low: [1], high: [20] } });
    assert.equal(beyond.score, 1);
    assert.deepEqual(beyond.novelty, { channel: 'c', value: 20, low: 0, high: 10 });
    assert.deepEqual(beyond.state.range, { model: 'k@1', low: [0], high: [20] });
    assert.equal(beyond.threshold, 0.1, 'the method\'s threshold is still reported');
  });
});
