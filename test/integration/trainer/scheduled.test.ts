// Scheduled training end to end on the real broker: windows on the windows
// topic (one sensor's alerted stretch excluded) → the trainer's scheduled
// round trains and publishes a model → a running scorer picks it up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { encodeAlert, encodeWindow } from '../../../common/codec/records.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { createIdempotentProducer } from '../../../common/kafka/index.ts';
import { createLogger } from '../../../common/log.ts';
import type { AnomalyAlert } from '../../../common/types.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { startTrainer, type Trainer } from '../../../trainer/service.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { smallModelConfig, syntheticWindows } from '../../unit/common/model/synthetic.ts';

const lines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'info', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });

describe('scheduled training → published model → running scorer', () => {
  let brokers: string[];
  const trainerGroup = uniqueName('it-sched-trainers');
  let config: Config;
  let trainer: Trainer | undefined;
  let scorer: Scorer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sw-trainer-it-'));
  const scorerGroup = uniqueName('it-trainer-scorer');
  const scorerRegistry = new Registry();
  const trainerRegistry = new Registry();
  const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 100, seed: 3 });

  before(async () => {
    brokers = await testBrokers();
    config = {
      ...defaultConfig,
      kafka: { ...defaultConfig.kafka, brokers },
      topics: {
        ...defaultConfig.topics,
        windows: uniqueName('it-tr-windows'),
        alerts: uniqueName('it-tr-alerts'),
        models: uniqueName('it-tr-models'),
        modelArtifacts: uniqueName('it-tr-artifacts'),
        deadLetter: uniqueName('it-tr-dead'),
        verdicts: uniqueName('it-tr-verdicts'),
        partitions: 1,
      },
      windowing: { ...defaultConfig.windowing, channels: ['ch0', 'ch1', 'ch2', 'ch3'], length: 16, hop: 16 },
      model: smallModelConfig({ kind: 'dae' }, { epochs: 3 }),
      trainer: { ...defaultConfig.trainer, schedule: '2s', minWindows: 50, modelDir: join(dir, 'models'), backend: 'wasm' },
      scorer: { ...defaultConfig.scorer, backend: 'wasm' },
      logLevel: 'info',
    };
    await createTopics(brokers, [config.topics.windows, config.topics.alerts]);
    const producer = createIdempotentProducer(testKafka(brokers, 'it-tr-producer'));
    await producer.connect();
    await producer.send({ topic: config.topics.windows, messages: windows.map((w) => ({ key: w.sensorId, value: encodeWindow(w) })) });
    // Sensor s0 was alerted from its 10th to its 19th window: those 10 must not be trained on.
    const s0 = windows.filter((w) => w.sensorId === 's0');
    const alert = (state: AnomalyAlert['state'], i: number): AnomalyAlert => ({
      alertId: 'a1', sensorId: 's0', state, kind: 'anomaly', fault: null, severity: 'warning', score: 2, reconstructionError: 2,
      threshold: 1, topChannels: [], modelKey: 'default', modelVersion: 0, windowStart: s0[i]?.start ?? 0, windowEnd: s0[i]?.end ?? 0, reason: null,
    });
    await producer.send({ topic: config.topics.alerts, messages: [alert('open', 10), alert('resolve', 19)].map((a) => ({ key: a.sensorId, value: encodeAlert(a) })) });
    await producer.disconnect();
  });

  after(async () => {
    await trainer?.stop();
    await scorer?.stop();
    const t = config.topics;
    await deleteTopics(brokers, [t.windows, t.alerts, t.models, t.modelArtifacts, t.deadLetter, t.verdicts, `${scorerGroup}.state`]);
    await deleteGroups(brokers, [scorerGroup, trainerGroup]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains on schedule, excludes the alerted windows, and the scorer serves the new model', async () => {
    scorer = await startScorer({ config, log, registry: scorerRegistry, groupId: scorerGroup });
    assert.equal(scorer.ready(), false, 'no model yet');
    trainer = await startTrainer({ config, log, registry: trainerRegistry, groupId: trainerGroup });
    assert.ok((trainer.nextRunAt() ?? 0) > Date.now(), 'a round is scheduled');

    const info = await waitFor(
      async () => /sensorwatch_model_info\{model="default",version="1",kind="dae",backend="wasm",type="default"\} 1/.exec(await scorerRegistry.metrics()),
      { what: 'the scorer to serve model v1', timeoutMs: 45_000, intervalMs: 200 },
    );
    assert.ok(info);
    await waitFor(() => scorer?.ready(), { what: 'the scorer to be ready', timeoutMs: 10_000 });

    const promoted = lines.find((l) => l.msg === 'model promoted and published');
    assert.equal(promoted?.version, 1);
    assert.equal(promoted?.reason, 'first_model');
    const collected = lines.find((l) => l.msg === 'training data collected');
    assert.equal(collected?.windows, 200);
    assert.equal(collected?.excludedAlerted, 10);
    assert.deepEqual(collected?.keys, { default: 190 });

    const metrics = await trainerRegistry.metrics();
    assert.match(metrics, /sensorwatch_models_promoted_total\{model="default"\} 1/);
    assert.match(metrics, /sensorwatch_training_last_success_timestamp_seconds\{model="default"\} \d/);
    assert.match(metrics, /sensorwatch_training_val_loss\{model="default"\} \d/);
    assert.match(metrics, /sensorwatch_backend_info\{backend="wasm"\} 1/);
  });
});
