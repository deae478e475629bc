import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { decide, initialSensorState, type DecisionInput, type SensorState } from '../../../../common/decision/decide.ts';
import { likelihoodStep, type LikelihoodSettings } from '../../../../common/decision/likelihood.ts';
import { mergePolicy } from '../../../../common/decision/policy.ts';
import { decodeState, encodeState, stateFormat } from '../../../../common/decision/state-codec.ts';
import { SensorwatchError } from '../../../../common/errors.ts';

const record = (format: unknown, state: unknown): Buffer => Buffer.from(JSON.stringify({ format, state }));
const settings: LikelihoodSettings = { averageSamples: 1, historySamples: 1000, distribution: 'normal', minSpread: 0, newNormalAfterMs: Number.POSITIVE_INFINITY, warmupSamples: 0, learnBelowScore: 0.3, learnAfterQuietSamples: 0, hop: 1 };

const refused = (code: string, pattern: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof SensorwatchError, String(e));
  assert.equal(e.code, code);
  assert.match(e.message, pattern);
  return true;
};

describe('state codec: format 1 records (as written before the format moved)', () => {
  // The shape of scorer/state-store.ts's first format 1 record (commit 8c3e72c): alert tracks only.
  const track = { recent: [false, true, true], open: { alertId: 'a-1', severity: 'warning', fault: null }, below: 1, calm: 0, calmBand: null };
  const firstV1 = { sensorId: 'pump-7', lastSeq: 41, lastEnd: 1_700_000_000_000, anomaly: track, fault: { recent: [], open: null, below: 0, calm: 0, calmBand: null } };

  it('reads the first v1 shape unchanged, with no sub-state (each seeded on first use)', () => {
    const s = decodeState(record(1, firstV1));
    assert.equal(s?.likelihood, undefined);
    assert.equal(s?.range, undefined);
    assert.deepEqual(s, firstV1);
  });

  it('a decoded v1 state decides on: the replayed window is skipped, its open alert resolves under its own id', () => {
    const s = decodeState(record(1, firstV1)) ?? assert.fail('no state');
    const base = mergePolicy(defaultConfig, 'pump-7', 1);
    const policy: DecisionInput['policy'] = { ...base, thresholds: { ...base.thresholds, method: 'static', value: 0.1 } };
    const model = { key: 'default', version: 1, calibration: { thresholds: { model: { value: 0.1, method: 'static' as const, details: {} }, perSensor: {} }, calibration: { errors: [], perSensorErrors: {} } } };
    const input = (seq: number): DecisionInput => ({ window: { sensorId: 'pump-7', seq, start: seq, end: seq + 1 }, errors: { error: 0.001, step: 0.001, stepMax: 0.001 }, model, policy, fault: null });
    const replayed = decide(s, input(41));
    assert.equal(replayed.events.length, 0);
    assert.equal(replayed.state, s, 'a window already decided leaves the state as it was');
    let state = s;
    const resolved: string[] = [];
    for (let seq = 42; seq < 142 && resolved.length === 0; seq++) {
      const d = decide(state, input(seq));
      state = d.state;
      for (const e of d.events) if (e.state === 'resolve') resolved.push(e.alertId);
    }
    assert.deepEqual(resolved, ['a-1']);
  });

  it('upgrades missing counts to their initial values: a likelihood state without seen is not NaN', () => {
    const likelihood = { model: 'k@1', seedMean: 1, mean: 1, variance: 0.04, n: 50 };
    const old = { sensorId: 's', lastSeq: 3, anomaly: { recent: [], open: null }, fault: { recent: [], open: null }, likelihood, adaptive: { model: 'k@1', mean: 0, variance: 1 } };
    const s = decodeState(record(1, old)) ?? assert.fail('no state');
    assert.equal(s.lastEnd, -1);
    assert.deepEqual(s.anomaly, { recent: [], open: null, below: 0, calm: 0, calmBand: null });
    assert.deepEqual(s.likelihood, { ...likelihood, recent: [], excluded: 0, seen: 0 });
    assert.equal(s.adaptive?.above, 0);
    const step = likelihoodStep(s.likelihood, { model: 'k@1', step: 1.1, heldOut: () => assert.fail('the kept estimate is not reseeded'), usable: true, time: 0 }, settings);
    assert.equal(step.state.seen, 1);
    assert.ok(Number.isFinite(step.score) && Number.isFinite(step.state.mean), `score ${step.score}, mean ${step.state.mean}`);
  });

  it('drops a v1 sub-state that lacks its estimate (seeded again on first use), keeps the rest', () => {
    const s = decodeState(record(1, { ...firstV1, likelihood: { model: 'k@1', seen: 4 }, range: { model: 'k@1', low: [0], high: [2] } }));
    assert.equal(s?.likelihood, undefined);
    assert.deepEqual(s?.range, { model: 'k@1', low: [0], high: [2] });
  });

  it('still refuses a v1 record without a sensor id or sequence', () => {
    assert.throws(() => decodeState(record(1, { ...firstV1, sensorId: undefined })), refused('state_corrupt', /state\.sensorId is missing/));
    assert.throws(() => decodeState(record(1, { ...firstV1, lastSeq: 'x' })), refused('state_corrupt', /state\.lastSeq is string "x"/));
  });
});

describe('state codec: format 2', () => {
  const full: SensorState = {
    ...initialSensorState('s-9'),
    lastSeq: 120,
    lastEnd: 5000,
    anomaly: { recent: [true], open: null, below: 0, calm: 0, calmBand: null, resolved: { alert: { alertId: 'a-7', severity: 'critical', fault: null, follows: null }, since: 2 } },
    fault: { recent: [true, true], open: { alertId: 'f-2', severity: 'warning', fault: 'flatline', follows: 'f-1' }, below: 0, calm: 1, calmBand: 'warning' },
    adaptive: { model: 'k@2', mean: -1.5, variance: 0.25, above: 3 },
    likelihood: { model: 'k@2', seedMean: 0.5, space: 'cbrt', mean: 0.8, variance: 0.01, n: 900, recent: [0.4, 0.6], excluded: 2, pending: { n: 2, mean: 1.1, m2: 0.02 }, quiet: 0, since: 1_700_000_000_000, seen: 77 },
    stepLikelihood: { model: 'k@2', seedMean: Number.NaN, mean: Number.NaN, variance: Number.NaN, n: 0, recent: [], excluded: 0, seen: 0 },
    range: { model: 'k@2', low: [0, Number.NaN], high: [10, Number.NaN] },
  };

  it('writes the current format and reads every field back, NaN and the open alert\'s follows included', () => {
    assert.equal(stateFormat, 2);
    const bytes = encodeState(full);
    assert.equal((JSON.parse(bytes.toString('utf8')) as { format: number }).format, 2);
    assert.deepStrictEqual(decodeState(bytes), full);
    assert.deepStrictEqual(decodeState(encodeState(initialSensorState('x'))), initialSensorState('x'));
  });

  it('refuses a v2 record with a field missing or mistyped, naming it', () => {
    const { seen: _seen, ...noSeen } = full.likelihood ?? assert.fail();
    assert.throws(() => decodeState(record(2, { ...full, likelihood: noSeen }), 'state topic t partition 0 offset 9'), refused('state_corrupt', /^state topic t partition 0 offset 9: state\.likelihood\.seen is missing/));
    assert.throws(() => decodeState(record(2, { ...full, anomaly: { ...full.anomaly, calm: null } })), refused('state_corrupt', /state\.anomaly\.calm is null/));
    assert.throws(() => decodeState(record(2, { ...full, fault: { ...full.fault, open: { alertId: 'f', severity: 'warning', fault: 'smoke' } } })), refused('state_corrupt', /state\.fault\.open\.fault/));
    assert.throws(() => decodeState(record(2, { ...full, likelihood: { ...full.likelihood, space: 'sqrt' } })), refused('state_corrupt', /state\.likelihood\.space/));
    assert.throws(() => decodeState(record(2, { ...full, fault: { ...full.fault, open: { alertId: 'f', severity: 'warning', fault: null, follows: 7 } } })), refused('state_corrupt', /state\.fault\.open\.follows/));
  });
});

describe('state codec: other records', () => {
  it('a tombstone is null', () => {
    assert.equal(decodeState(null), null);
    assert.equal(decodeState(Buffer.alloc(0)), null);
  });
  it('refuses a future format with a clear error', () => {
    assert.throws(() => decodeState(record(3, initialSensorState('s')), 'state topic t partition 1 offset 4'), refused('state_format_unknown', /offset 4: state format 3 was written by a newer scorer; this build reads formats 1 to 2/));
  });
  it('refuses what is not a state record', () => {
    assert.throws(() => decodeState(Buffer.from('{"format":')), refused('state_corrupt', /not JSON/));
    assert.throws(() => decodeState(Buffer.from('[1]')), refused('state_corrupt', /expected an object/));
    assert.throws(() => decodeState(record(0, initialSensorState('s'))), refused('state_corrupt', /format is number 0/));
    assert.throws(() => decodeState(record('2', initialSensorState('s'))), refused('state_corrupt', /format is string "2"/));
  });
});
