// Sensor types on the real broker (issue 22): two types with different channel
// counts and rates on one readings topic. Ingest windows each by its type and
// dead-letters a reading of the wrong layout (naming both layouts) and an
// unknown sensor (`unknown_sensor`); the trainer trains one model per type
// (recording the type and its channels); the scorer alerts per type, and a
// window of one type is never scored by another type's model (bad_window).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { decodeAlert, decodeDeadLetter, decodeWindow, encodeWindow } from '../../../common/codec/records.ts';
import { encodeReading, readingHeaders } from '../../../common/codec/reading.ts';
import { parseConfigText } from '../../../common/config/load.ts';
import type { Config } from '../../../common/config/types.ts';
import { createIdempotentProducer } from '../../../common/kafka/index.ts';
import type { Producer } from '../../../common/kafka/types.ts';
import { createLogger } from '../../../common/log.ts';
import { readArtifactMeta } from '../../../common/model/artifact.ts';
import { createModelCache } from '../../../common/model/store/cache.ts';
import { createRng } from '../../../common/rng.ts';
import type { AnomalyAlert, DeadLetter, SensorReading, SignalWindow } from '../../../common/types.ts';
import { startIngest, type IngestService } from '../../../ingest/service.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { startTrainer, type Trainer } from '../../../trainer/service.ts';
import { collectMessages, createTopics, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';

const lines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'info', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });

const pumpChannels = ['x', 'y', 'z'];
const valveChannels = ['pos', 'dp'];

describe('sensor types: two types on one topic, end to end (real broker)', () => {
  let brokers: string[];
  let config: Config;
  let producer: Producer;
  let ingest: IngestService | undefined;
  let trainer: Trainer | undefined;
  let scorer: Scorer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sw-types-'));
  // Event time: ten minutes ago, on whole seconds; pumps at 10 Hz, valves at 5 Hz.
  const base = Math.floor((Date.now() - 600_000) / 1000) * 1000;
  const rng = createRng(3).next;
  const pumpReading = (id: string, i: number, spike = 0): SensorReading => ({
    sensorId: id,
    timestamp: base + i * 100,
    values: pumpChannels.map((_, c) => Math.sin(i * 0.3 + c) + 0.05 * (rng() - 0.5) + (c === 0 ? spike : 0)),
    quality: null,
  });
  const valveReading = (id: string, i: number, spike = 0): SensorReading => ({
    sensorId: id,
    timestamp: base + i * 200,
    values: valveChannels.map((_, c) => Math.cos(i * 0.2 + 2 * c) + 0.05 * (rng() - 0.5) + (c === 0 ? spike : 0)),
    quality: null,
  });
  const send = async (readings: SensorReading[], format: 'avro' | 'json' = 'avro'): Promise<void> => {
    await producer.send({ topic: config.topics.readings, messages: readings.map((r) => ({ key: r.sensorId, value: encodeReading(r, format), headers: readingHeaders(format) })) });
  };

  before(async () => {
    brokers = await testBrokers();
    const t = (role: string): string => uniqueName(`it-types-${role}`);
    config = parseConfigText(
      `
kafka: { brokers: [${brokers.join(', ')}] }
topics: { readings: ${t('readings')}, windows: ${t('windows')}, alerts: ${t('alerts')}, models: ${t('models')}, modelArtifacts: ${t('artifacts')}, deadLetter: ${t('dead')}, labels: ${t('labels')}, partitions: 1 }
windowing: { length: 16, hop: 8, allowedLatenessMs: 0 }
model: { kind: dense, hidden: [16], codeSize: 4, training: { epochs: 8, patience: 3 } }
trainer: { schedule: 1h, minWindows: 40, modelDir: ${join(dir, 'models')}, backend: wasm }
scorer: { backend: wasm, batch: { maxSize: 64, maxWaitMs: 10 }, silentAfterMs: 0 }
logLevel: info
sensorTypes:
  - name: pump
    sensors: ['p-*']
    windowing: { channels: [${pumpChannels.join(', ')}], samplePeriodMs: 100 }
    trainer: { minWindows: 60 }
  - name: valve
    sensors: ['v-*']
    windowing: { channels: [${valveChannels.join(', ')}], units: { pos: mm }, samplePeriodMs: 200, length: 8, hop: 4 }
`,
      'types-it.yaml',
    );
    const topics = config.topics;
    await createTopics(brokers, [topics.readings, topics.windows, topics.alerts, topics.deadLetter]);
    producer = createIdempotentProducer(testKafka(brokers, 'it-types-producer'));
    await producer.connect();
  });

  after(async () => {
    await scorer?.stop();
    await trainer?.stop();
    await ingest?.stop();
    await producer?.disconnect();
    const t = config.topics;
    await deleteTopics(brokers, [t.readings, t.windows, t.alerts, t.models, t.modelArtifacts, t.deadLetter, ...(scorer === undefined ? [] : [scorer.stateTopic])]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('windows per type, dead letters for the wrong layout and the unknown sensor, a model per type, alerts per type, no cross-type scoring', async () => {
    ingest = await startIngest({ config, log, registry: new Registry() });
    const normal = 480;
    await send([...Array.from({ length: normal }, (_, i) => [pumpReading('p-1', i), pumpReading('p-2', i), valveReading('v-1', i), valveReading('v-2', i)]).flat()]);
    // A valve reading with the pump's three channels, and a sensor of no type.
    await send([{ sensorId: 'v-2', timestamp: base + normal * 200, values: [1, 2, 3], quality: null }, { sensorId: 'x-1', timestamp: base, values: [1, 2], quality: null }], 'json');

    // Pumps: 480 samples, length 16, hop 8 → 59 windows each; valves: length 8, hop 4 → 119 each (a window of each may start on another phase: at least 57 / 117).
    const windowRecords = await collectMessages({ brokers, topic: config.topics.windows, count: 2 * 57 + 2 * 117, timeoutMs: 60_000 });
    const windows: SignalWindow[] = windowRecords.map((m) => decodeWindow(m.value));
    for (const w of windows) {
      const pump = w.sensorId.startsWith('p-');
      assert.equal(w.sensorType, pump ? 'pump' : 'valve', `${w.sensorId}#${w.seq}`);
      assert.deepEqual(w.channels, pump ? pumpChannels : valveChannels);
      assert.equal(w.samples.length, (pump ? 16 : 8) * w.channels.length);
      assert.equal(w.end - w.start, pump ? 15 * 100 : 7 * 200, 'each type on its own sample period');
    }

    const ingestDead = (await collectMessages({ brokers, topic: config.topics.deadLetter, count: 2, timeoutMs: 30_000 })).map((m) => decodeDeadLetter(m.value));
    const wrong = ingestDead.find((d) => d.reason === 'wrong_channel_count');
    assert.match(wrong?.message ?? '', /sensor v-2 \(type valve\): 3 values, expected 2 \(pos, dp\); they fit type pump \(3 channels: x, y, z\), not its own type valve \(2 channels: pos, dp\)/);
    const unknown = ingestDead.find((d) => d.reason === 'unknown_sensor');
    assert.equal(unknown?.stage, 'ingest');
    assert.match(unknown?.message ?? '', /sensor x-1 matches no sensor type/);

    // A model per type, trained with the type's settings (pump: minWindows 60; valve: the top-level 40).
    trainer = await startTrainer({ config, log, registry: new Registry(), scheduled: false });
    const reports = await trainer.trainNow();
    assert.deepEqual(reports.map((r) => `${r.modelKey}: ${r.outcome}`).sort(), ['pump: promoted', 'valve: promoted']);
    const cache = createModelCache(config.trainer.modelDir);
    for (const [key, channels, length] of [['pump', pumpChannels, 16], ['valve', valveChannels, 8]] as const) {
      const bytes = await cache.read(key, 1);
      assert.ok(bytes !== null, `${key} v1 cached`);
      const meta = readArtifactMeta(bytes);
      assert.equal(meta.sensorType, key, `${key}: the artifact records its type`);
      assert.deepEqual(meta.channels, channels, `${key}: and its channels`);
      assert.equal(meta.windowLength, length);
    }

    // A window of sensor p-7 (a pump) with the valve's type and layout: never scored by the valve's (or any) model.
    const stray: SignalWindow = { sensorId: 'p-7', seq: 1, start: base, end: base + 1400, channels: valveChannels, samples: Array.from({ length: 16 }, () => 0.1), missing: 0, badQuality: 0, sensorType: 'valve' };
    await producer.send({ topic: config.topics.windows, messages: [{ key: stray.sensorId, value: encodeWindow(stray) }] });

    const registry = new Registry();
    scorer = await startScorer({ config, log, registry });
    // Spikes far beyond anything seen: one pump, one valve.
    await send([...Array.from({ length: 40 }, (_, k) => [pumpReading('p-1', normal + k, 40), valveReading('v-1', normal + 1 + k, 40)]).flat()]);
    const alerts = await waitFor(
      async () => {
        const got = (await collectMessages({ brokers, topic: config.topics.alerts, count: 1, timeoutMs: 20_000 })).map((m) => decodeAlert(m.value));
        const opens = got.filter((a) => a.state === 'open' && a.kind === 'anomaly');
        return opens.some((a) => a.sensorId === 'p-1') && opens.some((a) => a.sensorId === 'v-1') ? got : null;
      },
      { what: 'an anomaly alert for p-1 and for v-1', timeoutMs: 120_000, intervalMs: 1000 },
    );
    const byId = (id: string): AnomalyAlert | undefined => alerts.find((a) => a.sensorId === id && a.state === 'open' && a.kind === 'anomaly');
    assert.equal(byId('p-1')?.sensorType, 'pump');
    assert.equal(byId('p-1')?.modelKey, 'pump');
    assert.equal(byId('v-1')?.sensorType, 'valve');
    assert.equal(byId('v-1')?.modelKey, 'valve');
    assert.ok(byId('p-1')?.topChannels.every((c) => pumpChannels.includes(c.channel)), 'pump alerts name pump channels');
    assert.ok(byId('v-1')?.topChannels.every((c) => c.channel === 'pos [mm]' || c.channel === 'dp'), 'valve alerts name valve channels, with units');
    assert.ok(!alerts.some((a) => a.sensorId === 'p-7'), 'the stray window raised nothing');

    const dead = await waitFor(
      async () => {
        const all: DeadLetter[] = (await collectMessages({ brokers, topic: config.topics.deadLetter, count: 3, timeoutMs: 20_000 })).map((m) => decodeDeadLetter(m.value));
        return all.find((d) => d.stage === 'scorer') ?? null;
      },
      { what: 'the scorer\'s dead letter for the stray window', timeoutMs: 60_000, intervalMs: 1000 },
    );
    assert.equal(dead.reason, 'bad_window');
    assert.equal(dead.key?.toString(), 'p-7');
    assert.match(dead.message, /window p-7#1 was cut as sensor type valve, but sensor p-7 is now of type pump/);
    const text = await registry.metrics();
    assert.match(text, /sensorwatch_windows_scored_total\{model="pump",type="pump"\} [1-9]/);
    assert.match(text, /sensorwatch_windows_scored_total\{model="valve",type="valve"\} [1-9]/);
    assert.ok(!/sensorwatch_anomaly_score\{sensor="p-7"/.test(text), 'p-7 was never scored');
  });
});
