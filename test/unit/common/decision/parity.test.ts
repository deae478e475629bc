// The service and eval decide alike: the same windows through the scorer's
// engine (service path, micro-batches), through the judge one window at a time
// (eval's backtest) and through eval's replay of the recorded history
// (what-if) give the same alert events, with the product defaults and a real
// trained model (the new-extreme rule included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Registry } from 'prom-client';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { Config } from '../../../../common/config/types.ts';
import { initialSensorState } from '../../../../common/decision/decide.ts';
import { judgeWindow } from '../../../../common/decision/judge.ts';
import { scoreWindows } from '../../../../common/model/score.ts';
import { trainModel } from '../../../../common/model/train.ts';
import type { AnomalyAlert, SignalWindow } from '../../../../common/types.ts';
import { replayDecisions, type ScoredWindow } from '../../../../eval/replay.ts';
import { createEngine } from '../../../../scorer/engine.ts';
import { createScorerMetrics } from '../../../../scorer/metrics.ts';
import { createModelShelf } from '../../../../scorer/models.ts';
import { silentLogger } from '../../../../common/log.ts';

await tf.setBackend('cpu');

const channels = ['a', 'b', 'c'];
const L = 16;
/** Hop-1 windows of a 3-channel signal with a spike, a level shift on one channel and a stuck stretch. */
function windowsOf(n: number): SignalWindow[] {
  const value = (t: number, c: number): number => {
    if (c === 2 && t >= 700 && t < 760) return 0.25;
    return Math.sin(t / (6 + c)) + 0.1 * Math.sin(t * 1.7 + c) + (t === 520 && c === 0 ? 4 : 0) + (c === 1 && t >= 600 && t < 650 ? 2 : 0);
  };
  return Array.from({ length: n - L + 1 }, (_, s) => ({
    sensorId: 'p1',
    seq: s,
    start: s * 1000,
    end: (s + L - 1) * 1000,
    channels,
    samples: Array.from({ length: L * channels.length }, (_, k) => value(s + Math.floor(k / channels.length), k % channels.length)),
    missing: 0,
    badQuality: 0,
  }));
}

describe('service and eval decide alike', () => {
  it('the engine (micro-batches) and the eval replay give the same alert events', async () => {
    const config = structuredClone(defaultConfig) as Config;
    config.windowing = { ...config.windowing, channels, length: L, hop: 1 };
    config.model = { ...config.model, kind: 'dense', hidden: [12], codeSize: 4, training: { ...config.model.training, epochs: 8 } };
    config.scorer.faults.flatlineSamples = 12;
    const windows = windowsOf(900);
    const train = windows.slice(0, 400);
    const scored = windows.slice(400);
    const { model, meta } = await trainModel({ windows: train, config: config.model, thresholds: config.thresholds, modelKey: 'default', version: 1, backend: 'cpu', stepSamples: 1 });

    const published: AnomalyAlert[] = [];
    const shelf = createModelShelf();
    shelf.offer(model);
    const registry = new Registry();
    const engine = createEngine({
      config: () => config,
      models: shelf,
      publisher: { publish: async (alerts) => void published.push(...alerts) },
      deadLetters: { send: async () => undefined },
      metrics: createScorerMetrics({ registry, maxSensorsExported: () => 10, tensorCount: () => 0, backend: () => 'cpu' }),
      clock: { now: () => 0 },
      log: silentLogger,
      backend: () => 'cpu',
    });
    let offset = 0;
    for (let i = 0; i < scored.length; i += 37) {
      await engine.handle(scored.slice(i, i + 37).map((window) => ({ source: { topic: 'w', partition: 0, offset: String(offset++), key: null, value: Buffer.alloc(0) }, window })));
    }

    // One window at a time through the judge, recording what a replay needs.
    let state = initialSensorState('p1');
    const judged: AnomalyAlert[] = [];
    const history: ScoredWindow[] = [];
    scoreWindows(model, scored, { stepSamples: 1 }).forEach((s, i) => {
      const w = scored[i] as SignalWindow;
      const j = judgeWindow(state, { window: w, errors: s, model: { key: 'default', version: 1, calibration: meta, channels: meta.channels }, config });
      state = j.state;
      judged.push(...j.events);
      history.push({ seq: w.seq, start: w.start, end: w.end, error: s.error, step: s.step, stepMax: s.stepMax, fault: j.fault, extremes: j.extremes });
    });
    const replay = replayDecisions({ sensorId: 'p1', windows: history, segments: [{ fromWindow: 0, toWindow: history.length, thresholds: meta }], config });
    shelf.dispose();

    const brief = (a: AnomalyAlert): string => `${a.alertId} ${a.kind} ${a.state} ${a.severity} ${a.fault ?? ''} ${a.windowEnd} ${a.score.toFixed(9)} ${a.reason ?? ''}`;
    assert.ok(published.some((a) => a.kind === 'anomaly' && a.state === 'open'), 'the spike and the shift open anomaly alerts');
    assert.ok(published.some((a) => a.kind === 'sensor_fault' && a.fault === 'flatline'), 'the stuck stretch opens a sensor fault');
    assert.ok(published.some((a) => a.reason?.startsWith('new extreme: a = ') === true), 'the spike is a new extreme on channel a');
    assert.deepEqual(replay.events.map(brief), published.map(brief));
    assert.deepEqual(judged, published, 'the judge one window at a time publishes what the engine does, channels included');
  });
});
