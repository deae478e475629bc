// First models on the real broker: with an hourly schedule, the trainer trains
// a model key's first model as soon as trainer.minWindows windows exist for it
// (the default key first; a group's key once its own sensor has enough), and
// nothing before that.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { encodeWindow } from '../../../common/codec/records.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { createIdempotentProducer } from '../../../common/kafka/index.ts';
import type { Producer } from '../../../common/kafka/types.ts';
import { createLogger } from '../../../common/log.ts';
import type { SignalWindow } from '../../../common/types.ts';
import { startTrainer, type Trainer } from '../../../trainer/service.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { smallModelConfig, syntheticWindows } from '../../unit/common/model/synthetic.ts';

const lines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'info', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
const promoted = (key: string) => lines.filter((l) => l.msg === 'model promoted and published' && l.modelKey === key);

describe('trainer: first model as soon as minWindows windows exist', () => {
  let brokers: string[];
  const trainerGroup = uniqueName('it-first-trainers');
  let config: Config;
  let trainer: Trainer | undefined;
  let producer: Producer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sw-trainer-first-'));
  // s0 belongs to the default key, s1 to the group `pumps`
  const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 60, seed: 5 });
  const of = (sensor: string, from: number, to: number): SignalWindow[] => windows.filter((w) => w.sensorId === sensor).slice(from, to);
  const send = (ws: SignalWindow[]) => producer!.send({ topic: config.topics.windows, messages: ws.map((w) => ({ key: w.sensorId, value: encodeWindow(w) })) });

  before(async () => {
    brokers = await testBrokers();
    config = {
      ...defaultConfig,
      kafka: { ...defaultConfig.kafka, brokers },
      topics: {
        ...defaultConfig.topics,
        windows: uniqueName('it-first-windows'),
        alerts: uniqueName('it-first-alerts'),
        models: uniqueName('it-first-models'),
        modelArtifacts: uniqueName('it-first-artifacts'),
        partitions: 1,
      },
      windowing: { ...defaultConfig.windowing, channels: ['ch0', 'ch1', 'ch2', 'ch3'], length: 16, hop: 16 },
      model: { ...smallModelConfig({ kind: 'dense' }, { epochs: 2 }), groups: { pumps: ['s1'] } },
      trainer: { ...defaultConfig.trainer, schedule: '1h', minWindows: 40, modelDir: join(dir, 'models'), backend: 'wasm' },
      logLevel: 'info',
    };
    await createTopics(brokers, [config.topics.windows, config.topics.alerts]);
    producer = createIdempotentProducer(testKafka(brokers, 'it-first-producer'));
    await producer.connect();
  });

  after(async () => {
    await trainer?.stop();
    await producer?.disconnect();
    const t = config.topics;
    await deleteTopics(brokers, [t.windows, t.alerts, t.models, t.modelArtifacts]);
    await deleteGroups(brokers, [trainerGroup]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains nothing below minWindows, then each key\'s first model long before the scheduled round', async () => {
    trainer = await startTrainer({ config, log, registry: new Registry(), firstModelPollMs: 200, groupId: trainerGroup });
    const scheduledAt = trainer.nextRunAt() ?? 0;
    assert.ok(scheduledAt - Date.now() > 50 * 60_000, 'the first scheduled round is an hour away');

    await send([...of('s0', 0, 30), ...of('s1', 0, 5)]);
    // The topic holds 35 windows, under minWindows (40): several looks, no round.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(lines.filter((l) => l.msg === 'training data collected' || l.msg === 'model promoted and published'), [], 'nothing collected or trained below minWindows');

    await send(of('s0', 30, 45));
    const first = await waitFor(() => promoted('default')[0], { what: 'the default key\'s first model', timeoutMs: 60_000, intervalMs: 100 });
    assert.equal(first.version, 1);
    assert.equal(first.reason, 'first_model');
    assert.deepEqual(promoted('pumps'), [], 'pumps has 5 windows: it waits');
    const round = lines.find((l) => l.msg === 'first-model round done');
    assert.deepEqual(round?.reports, ['default: promoted (first_model, 45 windows)', 'pumps: skipped (not_enough_windows, 5 windows)']);

    await send(of('s1', 5, 45));
    const pumps = await waitFor(() => promoted('pumps')[0], { what: 'the pumps key\'s first model', timeoutMs: 60_000, intervalMs: 100 });
    assert.equal(pumps.reason, 'first_model');
    assert.equal(promoted('default').length, 1, 'the default key, which has a model, is left to the schedule');
    assert.equal(trainer.nextRunAt(), scheduledAt, 'no scheduled round ran');
    assert.ok(Date.now() < scheduledAt);
  });
});
