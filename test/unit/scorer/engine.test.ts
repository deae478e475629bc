import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Registry } from 'prom-client';
import { createEngine, deferReport, type BatchItem, type RecordSource } from '../../../scorer/engine.ts';
import { topChannels } from '../../../common/decision/channels.ts';
import { createModelShelf } from '../../../scorer/models.ts';
import { createScorerMetrics } from '../../../scorer/metrics.ts';
import { alertIdFor, type SensorState } from '../../../common/decision/decide.ts';
import { adaptiveStep, type AdaptiveState } from '../../../common/decision/adaptive.ts';
import type { AlertPublisher, DeadLetterSink } from '../../../scorer/ports.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import type { AnomalyAlert, DeadLetter } from '../../../common/types.ts';
import { silentLogger } from '../../../common/log.ts';
import { randomModel, valueForScore, window, zeroModel, type FixtureWindow } from './support.ts';

await tf.setBackend('cpu');

// The raw-error path (a static-like calibrated threshold): score r / (1 + r), so the bands are r = 1 and r = 3.
const baseConfig: Config = {
  ...defaultConfig,
  thresholds: { ...defaultConfig.thresholds, method: 'quantile' },
  scorer: { ...defaultConfig.scorer, hysteresis: { openAfter: 2, openWindow: 2, resolveAfter: 2, releaseScore: 0.5, holdOffSamples: 0 } },
};

function setup(options: { config?: Config; failPublish?: () => boolean; afterBatch?: (report: () => void) => void; now?: () => number } = {}) {
  let config = options.config ?? baseConfig;
  const published: { alerts: AnomalyAlert[]; states: SensorState[] }[] = [];
  const dead: DeadLetter[] = [];
  const publisher: AlertPublisher = {
    async publish(alerts, states) {
      if (options.failPublish?.()) throw new Error('broker said no');
      published.push({ alerts: [...alerts], states: [...states] });
    },
  };
  const deadLetters: DeadLetterSink = { send: async (records) => void dead.push(...records) };
  const registry = new Registry();
  const models = createModelShelf();
  const engine = createEngine({
    config: () => config,
    models,
    publisher,
    deadLetters,
    metrics: createScorerMetrics({ registry, maxSensorsExported: () => config.scorer.maxSensorsExported, tensorCount: () => tf.memory().numTensors, backend: () => 'cpu' }),
    clock: { now: options.now ?? (() => 1_700_000_100_000) },
    log: silentLogger,
    backend: () => 'cpu',
    ...(options.afterBatch === undefined ? {} : { afterBatch: options.afterBatch }),
  });
  const alerts = () => published.flatMap((p) => p.alerts);
  return { engine, models, published, alerts, dead, registry, setConfig: (c: Config) => (config = c) };
}

let offset = 0;
const source = (): RecordSource => ({ topic: 'w', partition: 0, offset: String(offset++), key: null, value: Buffer.from('x') });
const items = (ws: FixtureWindow[]): BatchItem[] => ws.map((w) => ({ source: source(), window: window(w) }));
const scores = (list: number[], from = 0, sensorId = 's1'): FixtureWindow[] => list.map((s, i) => ({ sensorId, seq: from + i, value: valueForScore(s) }));

describe('engine', () => {
  it('windows in, alerts out: open and resolve with the model, threshold and top channels', async () => {
    const t = setup();
    t.models.offer(zeroModel({ threshold: 1 }));
    await t.engine.handle(items(scores([0.5, 2, 2, 0.1, 0.1])));
    assert.deepEqual(t.alerts().map((a) => `${a.state}@${a.windowStart}`), [`open@${window({ seq: 2 }).start}`, `resolve@${window({ seq: 4 }).start}`]);
    const [open] = t.alerts();
    assert.equal(open?.alertId, alertIdFor('s1', 'anomaly', 2, window({ seq: 2 }).start));
    assert.equal(open?.modelKey, 'default');
    assert.equal(open?.modelVersion, 1);
    assert.equal(open?.threshold, 1);
    assert.ok(Math.abs((open?.score ?? 0) - 2 / 3) < 1e-3, `score ${open?.score} (r = 2 → 2 / 3)`);
    assert.equal(open?.topChannels.length, 2);
    const sum = (open?.topChannels ?? []).reduce((a, c) => a + c.contribution, 0);
    assert.ok(Math.abs(sum - (open?.reconstructionError ?? 0)) < 1e-6, 'contributions add up to the error');
  });

  it('per-channel contributions add up to the reconstruction error (a real, non-trivial model)', async () => {
    const config: Config = { ...baseConfig, scorer: { ...baseConfig.scorer, topChannels: 3, hysteresis: { openAfter: 1, openWindow: 1, resolveAfter: 1, releaseScore: 0.5, holdOffSamples: 0 } } };
    const t = setup({ config });
    t.models.offer(randomModel({ channels: ['a', 'b', 'c'], threshold: 1e-6, seed: 7 }));
    const ws: FixtureWindow[] = [1, 2, 3, 4, 5].map((seq) => ({ seq: seq * 2, channels: ['a', 'b', 'c'], sample: (tt, c) => Math.sin(tt * seq + c) * (c + 1) }));
    // Alternate above and below so every window publishes an event (open, resolve, open …).
    const batch = ws.flatMap((w) => [w, { ...w, seq: w.seq + 1, sample: () => 0 }]);
    await t.engine.handle(items(batch));
    const opens = t.alerts().filter((a) => a.state === 'open');
    assert.equal(opens.length, 5);
    for (const a of opens) {
      const sum = a.topChannels.reduce((n, c) => n + c.contribution, 0);
      assert.ok(a.reconstructionError > 0);
      assert.ok(Math.abs(sum - a.reconstructionError) <= 1e-6 * a.reconstructionError, `${sum} vs ${a.reconstructionError}`);
      assert.ok(a.topChannels.every((c, i, all) => i === 0 || (all[i - 1]?.contribution ?? 0) >= c.contribution), 'largest first');
    }
  });

  it('the states published with the alerts are the ones the next batch starts from', async () => {
    const t = setup();
    t.models.offer(zeroModel());
    await t.engine.handle(items(scores([2])));
    await t.engine.handle(items(scores([2], 1)));
    assert.equal(t.alerts().length, 1, 'the second above window opens across batches');
    const last = t.published.at(-1)?.states.find((s) => s.sensorId === 's1');
    assert.deepEqual(last, t.engine.states().get('s1'));
  });

  it('a failed publish leaves the states untouched, so the retry decides the same', async () => {
    let fail = true;
    const t = setup({ failPublish: () => fail });
    t.models.offer(zeroModel());
    const batch = items(scores([2, 2, 2]));
    await assert.rejects(t.engine.handle(batch), /broker said no/);
    assert.equal(t.engine.states().size, 0);
    fail = false;
    await t.engine.handle(batch);
    assert.deepEqual(t.alerts().map((a) => a.state), ['open']);
  });

  it('restored states make replayed windows no-ops (restart without double opens)', async () => {
    const first = setup();
    first.models.offer(zeroModel());
    await first.engine.handle(items(scores([2, 2, 2, 2])));
    const saved = [...first.engine.states().values()];
    const second = setup();
    second.models.offer(zeroModel());
    second.engine.restore(JSON.parse(JSON.stringify(saved)) as SensorState[]);
    await second.engine.handle(items(scores([2, 2, 2, 2, 0, 0])));
    assert.deepEqual(second.alerts().map((a) => `${a.state}:${a.alertId === first.alerts()[0]?.alertId}`), ['resolve:true']);
    assert.match(await second.registry.metrics(), /sensorwatch_windows_scored_total\{model="default",type="default"\} 2\n/, 'replayed windows are not scored again');
  });

  it('dead-letters undecodable records and windows the model cannot take, and scores the rest', async () => {
    const t = setup();
    t.models.offer(zeroModel());
    const batch: BatchItem[] = [
      { source: source(), problem: { reason: 'bad_avro', message: 'truncated' } },
      { source: source(), window: window({ seq: 0, length: 5 }) },
      { source: source(), window: window({ seq: 1, channels: ['a', 'z'] }) },
      ...items(scores([2, 2], 2)),
    ];
    await t.engine.handle(batch);
    assert.deepEqual(t.dead.map((d) => [d.reason, d.stage]), [['bad_avro', 'scorer'], ['bad_window', 'scorer'], ['bad_window', 'scorer']]);
    assert.match(t.dead[2]?.message ?? '', /lacks channel\(s\) b/);
    assert.deepEqual(t.alerts().map((a) => a.state), ['open']);
    const text = await t.registry.metrics();
    assert.match(text, /sensorwatch_records_dead_lettered_total\{stage="scorer",reason="bad_window"\} 2/);
  });

  it('sensor faults raise sensor_fault alerts, not anomalies', async () => {
    const config: Config = { ...baseConfig, scorer: { ...baseConfig.scorer, faults: { ...baseConfig.scorer.faults, ranges: { a: [-10, 10] } } } };
    const t = setup({ config });
    t.models.offer(zeroModel());
    await t.engine.handle(items([{ seq: 0, value: 50 }, { seq: 1, value: 50 }]));
    assert.deepEqual(t.alerts().map((a) => [a.kind, a.fault]), [['sensor_fault', 'out_of_range']]);
  });

  it('a new model is swapped in between batches, the old one disposed, and decisions follow its threshold', async () => {
    const t = setup();
    const real = zeroModel({ version: 1, threshold: 1 });
    let disposed = false;
    const v1 = { ...real, dispose: () => { disposed = true; real.dispose(); } };
    t.models.offer(v1);
    await t.engine.handle(items(scores([2, 2])));
    const v2 = zeroModel({ version: 2, threshold: 10 });
    t.models.offer(v2);
    assert.equal(disposed, false, 'not disposed before the next batch');
    await t.engine.handle(items(scores([2, 2, 2], 2)));
    assert.equal(disposed, true, 'old model disposed at the swap');
    assert.deepEqual(t.alerts().map((a) => `${a.state}:v${a.modelVersion}`), ['open:v1', 'resolve:v2'], 'score 0.2 under v2 resolves');
    const text = await t.registry.metrics();
    assert.match(text, /sensorwatch_model_info\{model="default",version="2",kind="dense",backend="cpu",type="default"\} 1/);
    assert.doesNotMatch(text, /version="1"/);
  });

  it('a changed config (per-sensor threshold override) applies from the next batch', async () => {
    const t = setup();
    t.models.offer(zeroModel({ threshold: 1 }));
    await t.engine.handle(items(scores([2, 2])));
    t.setConfig({ ...baseConfig, thresholds: { ...baseConfig.thresholds, perSensor: { s1: { method: 'static', value: 100 } } } });
    await t.engine.handle(items(scores([2, 2], 2)));
    assert.deepEqual(t.alerts().map((a) => `${a.state}:${a.threshold}`), ['open:1', 'resolve:100']);
  });

  it('never drops a window for want of a model: it waits, uncommitted, and is decided once the model arrives', async () => {
    const t = setup();
    const batch = items(scores([2, 2]));
    await t.engine.handle(batch);
    assert.deepEqual(t.alerts(), [], 'nothing decided without a model');
    assert.equal(t.engine.oldestWaiting(batch[0]?.source.topic ?? '', batch[0]?.source.partition ?? -1), batch[0]?.source.offset, 'commit no further than the first waiting window');
    t.models.offer(zeroModel());
    for (let i = 0; i < 200 && t.alerts().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(t.alerts().map((a) => a.state), ['open']);
    assert.equal(t.engine.oldestWaiting(batch[0]?.source.topic ?? '', batch[0]?.source.partition ?? -1), undefined);
  });

  it('keeps the tensor count flat over many batches and across model swaps', async () => {
    const t = setup();
    t.models.offer(zeroModel());
    await t.engine.handle(items(scores([0.5, 2, 3])));
    const before = tf.memory().numTensors;
    for (let b = 0; b < 50; b++) {
      if (b % 10 === 0) t.models.offer(zeroModel({ version: 10 + b }));
      await t.engine.handle(items(Array.from({ length: 6 }, (_, i) => ({ sensorId: `s${i % 3}`, seq: 3 + b * 2 + Math.floor(i / 3), value: (i % 4) / 2 }))));
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('exports the metrics it promises', async () => {
    const t = setup();
    t.models.offer(zeroModel());
    await t.engine.handle(items(scores([2, 2])));
    const text = await t.registry.metrics();
    for (const line of [
      /sensorwatch_windows_scored_total\{model="default",type="default"\} 2/,
      /sensorwatch_reconstruction_error_count\{model="default",type="default"\} 2/,
      /sensorwatch_anomaly_score\{sensor="s1",type="default"\} 0\.666/,
      /sensorwatch_channel_contribution\{sensor="s1",channel="a",type="default"\} 1\.0/,
      /sensorwatch_alerts_total\{kind="anomaly",severity="warning",state="open"\} 1/,
      /sensorwatch_alerts_open\{kind="anomaly",severity="warning"\} 1/,
      /sensorwatch_threshold\{model="default",sensor="s1",type="default"\} 1/,
      /sensorwatch_scoring_latency_seconds_count 2/,
      /sensorwatch_scoring_batch_size_count 1/,
      /sensorwatch_model_created_timestamp_seconds\{model="default"\} 1700000000\.001/,
      /sensorwatch_tensors \d+/,
      /sensorwatch_backend_info\{backend="cpu"\} 1/,
    ]) assert.match(text, line);
  });

  it('afterBatch: the per-window metrics run where it puts them, after handle() resolved; the latency is still taken at the acknowledgement', async () => {
    const reports: (() => void)[] = [];
    let now = 1_700_000_100_000;
    const t = setup({ afterBatch: (report) => reports.push(report), now: () => now });
    t.models.offer(zeroModel());
    await t.engine.handle(items(scores([2, 2])));
    assert.equal(t.published.length, 1, 'decided and published before the report');
    assert.equal(t.engine.states().get('s1')?.sensorId, 's1', 'the states are current before the report');
    assert.equal(reports.length, 1);
    const before = await t.registry.metrics();
    assert.doesNotMatch(before, /sensorwatch_windows_scored_total\{model="default",type="default"\} [1-9]/);
    assert.match(before, /sensorwatch_scoring_latency_seconds_count 0/);
    now += 5_000; // the report runs later: the latency must not grow with it
    reports[0]?.();
    const after = await t.registry.metrics();
    assert.match(after, /sensorwatch_windows_scored_total\{model="default",type="default"\} 2/);
    assert.match(after, /sensorwatch_scoring_latency_seconds_count 2/);
    const sum = Number(/sensorwatch_scoring_latency_seconds_sum (\S+)/.exec(after)?.[1]);
    const ends = [window({ seq: 0 }).end, window({ seq: 1 }).end];
    const expected = ends.reduce((a, e) => a + Math.max(0, (1_700_000_100_000 - e) / 1000), 0);
    assert.ok(Math.abs(sum - expected) < 1e-6, `latency sum ${sum}, expected ${expected} (taken at the acknowledgement, not at the report)`);
  });

  it('deferReport runs the report on the next turn and logs (does not throw) its failure', async () => {
    const warned: string[] = [];
    const log = { ...silentLogger, warn: (msg: string) => void warned.push(msg) } as typeof silentLogger;
    const ran: string[] = [];
    const defer = deferReport(log);
    defer(() => ran.push('first'));
    defer(() => {
      throw new Error('metric broke');
    });
    defer(() => ran.push('third'));
    assert.deepEqual(ran, [], 'not on this turn');
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['first', 'third']);
    assert.deepEqual(warned, ['could not record a batch\'s metrics']);
  });

  it('caps the sensors exported with a sensor label', async () => {
    const t = setup({ config: { ...baseConfig, scorer: { ...baseConfig.scorer, maxSensorsExported: 2 } } });
    t.models.offer(zeroModel());
    await t.engine.handle(items(['x', 'y', 'z'].map((sensorId, i) => ({ sensorId, seq: i, value: 1 }))));
    const text = await t.registry.metrics();
    assert.match(text, /sensorwatch_anomaly_score\{sensor="y",type="default"\}/);
    assert.doesNotMatch(text, /sensor="z"/);
    assert.match(text, /sensorwatch_windows_scored_total\{model="default",type="default"\} 3/);
  });
});

describe('topChannels', () => {
  const cases: [number[], number, string[]][] = [
    [[0.1, 0.5, 0.2], 2, ['b', 'c']],
    [[0.1, 0.5, 0.2], 5, ['b', 'c', 'a']],
    [[0.3, 0.3, 0.3], 1, ['a']],
    [[0.1, 0.5, 0.2], 0, []],
  ];
  for (const [values, n, want] of cases) it(`${values} top ${n}`, () => assert.deepEqual(topChannels(['a', 'b', 'c'], values, n).map((c) => c.channel), want));
});

describe('engine with thresholds.method adaptive', () => {
  const adaptiveConfig: Config = {
    ...baseConfig,
    thresholds: { ...baseConfig.thresholds, method: 'adaptive', adaptiveHalfLife: 2, adaptiveK: 1, adaptiveFloor: 0.5 },
  };
  it('scores against the adaptive threshold (the same adaptiveStep as eval) and publishes its state', async () => {
    const t = setup({ config: adaptiveConfig });
    const model = zeroModel({ threshold: 1 });
    t.models.offer(model);
    // The fixture's held-out errors (0 … 0.98) seed a threshold near 10: a shift to 40 opens, is learned, and then resolves.
    const errors = [0.5, 0.6, 40, 40, 40, 40, 40, 40, 0.5, 0.5, 0.5, 0.5];
    await t.engine.handle(items(scores(errors.slice(0, 5))));
    await t.engine.handle(items(scores(errors.slice(5), 5)));
    // The expectation, folded by hand with the pure function.
    const settings = { halfLife: 2, k: 1, floor: 0.5 };
    let state: AdaptiveState | undefined;
    const want: number[] = [];
    for (const error of errors) {
      const r = adaptiveStep(state, { model: 'default@1', error, calibrated: 1, heldOut: () => model.meta.calibration.errors, usable: true }, settings);
      want.push(r.threshold);
      state = r.state;
    }
    const last = t.published.at(-1)?.states.find((s) => s.sensorId === 's1');
    assert.ok(last?.adaptive !== undefined);
    assert.ok(state !== undefined);
    assert.equal(last.adaptive.model, 'default@1');
    for (const k of ['mean', 'variance', 'above'] as const) assert.ok(Math.abs(last.adaptive[k] - state[k]) < 1e-5, `${k}: ${last.adaptive[k]} vs ${state[k]}`);
    const opened = t.alerts().find((a) => a.state === 'open');
    assert.ok(opened !== undefined);
    const i = errors.findIndex((_, j) => window({ seq: j }).start === opened.windowStart);
    assert.ok(Math.abs(opened.threshold - (want[i] as number)) < 1e-5, `threshold ${opened.threshold} vs ${want[i]}`);
    assert.ok(t.alerts().some((a) => a.state === 'resolve'), 'the shift is learned and the alert resolves');
  });
  it('the default method (quantile) keeps no adaptive state', async () => {
    const t = setup();
    t.models.offer(zeroModel({ threshold: 1 }));
    await t.engine.handle(items(scores([0.5, 2, 2])));
    assert.equal(t.published.at(-1)?.states[0]?.adaptive, undefined);
  });
});
