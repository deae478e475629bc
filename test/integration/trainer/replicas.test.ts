// Trainer replicas on the real broker: two trainers in one group on a windows
// topic of four partitions share four model keys (model.groups), each key
// trained by exactly one of them, one version per key on the models topic;
// after one trainer stops, the other trains all four at its next round.
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
import { createLogger } from '../../../common/log.ts';
import { createModelCatalog } from '../../../common/model/store/catalog.ts';
import { readArtifactLog } from '../../../common/model/store/kafka.ts';
import { keyPartition } from '../../../trainer/ownership.ts';
import type { TrainReport } from '../../../trainer/report.ts';
import { startTrainer, type Trainer } from '../../../trainer/service.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { smallModelConfig, syntheticWindows } from '../../unit/common/model/synthetic.ts';

const partitions = 4;
/** Four group keys on four different windows partitions: whatever the assignor, each trainer of two owns two keys. */
function fourKeys(): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < partitions; i++) {
    const key = `line${i}`;
    const p = keyPartition(key, partitions);
    if (!byPartition.has(p)) byPartition.set(p, key);
  }
  return [...byPartition.values()].sort();
}

describe('trainer replicas share the model keys', () => {
  let brokers: string[];
  let config: Config;
  const groupId = uniqueName('it-trainers');
  const keys = fourKeys();
  const dir = mkdtempSync(join(tmpdir(), 'sw-trainer-replicas-'));
  const trainers: Trainer[] = [];
  const logs: Record<string, unknown>[][] = [[], []];
  const logOf = (i: number) => createLogger({ level: 'info', write: (l) => void logs[i]?.push(JSON.parse(l) as Record<string, unknown>) });

  before(async () => {
    brokers = await testBrokers();
    config = {
      ...defaultConfig,
      kafka: { ...defaultConfig.kafka, brokers },
      topics: {
        ...defaultConfig.topics,
        windows: uniqueName('it-replicas-windows'),
        alerts: uniqueName('it-replicas-alerts'),
        models: uniqueName('it-replicas-models'),
        modelArtifacts: uniqueName('it-replicas-artifacts'),
        partitions,
      },
      windowing: { ...defaultConfig.windowing, channels: ['ch0', 'ch1', 'ch2', 'ch3'], length: 16, hop: 16 },
      // sensor s<i> is the only sensor of keys[i]: no window falls to the default key
      model: { ...smallModelConfig({ kind: 'dense' }, { epochs: 2 }), groups: Object.fromEntries(keys.map((k, i) => [k, [`s${i}`]])) },
      trainer: { ...defaultConfig.trainer, schedule: '1h', minWindows: 20, modelDir: join(dir, 'models'), backend: 'wasm' },
      logLevel: 'info',
    };
    await createTopics(brokers, [{ name: config.topics.windows, partitions }, config.topics.alerts]);
    const producer = createIdempotentProducer(testKafka(brokers, 'it-replicas-producer'));
    await producer.connect();
    const windows = syntheticWindows({ sensors: 4, windowsPerSensor: 30, seed: 11 });
    await producer.send({ topic: config.topics.windows, messages: windows.map((w) => ({ key: w.sensorId, value: encodeWindow(w) })) });
    await producer.disconnect();
  });

  after(async () => {
    for (const t of trainers) await t.stop();
    const t = config.topics;
    await deleteTopics(brokers, [t.windows, t.alerts, t.models, t.modelArtifacts]);
    await deleteGroups(brokers, [groupId]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Promoted versions per key on the model-artifacts topic. */
  const publishedVersions = async (): Promise<Record<string, number[]>> => {
    const catalog = createModelCatalog();
    const reader = await readArtifactLog({ kafka: testKafka(brokers, 'it-replicas-catalog'), topic: config.topics.modelArtifacts, log: logOf(0), onRecord: (r) => void catalog.apply(r) });
    await reader.caughtUp;
    await reader.stop();
    return Object.fromEntries(keys.map((k) => [k, catalog.versions(k)]));
  };
  const keysOf = (reports: TrainReport[], outcome?: TrainReport['outcome']) => reports.filter((r) => outcome === undefined || r.outcome === outcome).map((r) => r.modelKey).sort();

  it('splits four keys between two trainers, then one trains all four after the other stops', async () => {
    // Unscheduled: rounds run on trainNow() only, so the test decides when each replica trains.
    for (const i of [0, 1]) trainers.push(await startTrainer({ config, log: logOf(i), registry: new Registry(), scheduled: false, groupId, sessionTimeoutMs: 10_000 }));
    const [a, b] = trainers as [Trainer, Trainer];
    const share = (t: Trainer) => {
      const s = t.share();
      return s === null || s === 'all' ? null : s;
    };
    await waitFor(() => share(a)?.partitions.length === 2 && share(b)?.partitions.length === 2, { what: 'both trainers to own two windows partitions', timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual([...(share(a)?.partitions ?? []), ...(share(b)?.partitions ?? [])].sort(), [0, 1, 2, 3], 'the two shares cover the topic once');

    const [ra, rb] = await Promise.all([a.trainNow(), b.trainNow()]);
    assert.equal(keysOf(ra, 'promoted').length, 2, `trainer A promotes two keys: ${JSON.stringify(ra)}`);
    assert.equal(keysOf(rb, 'promoted').length, 2, `trainer B promotes two keys: ${JSON.stringify(rb)}`);
    assert.deepEqual(keysOf(ra).filter((k) => keysOf(rb).includes(k)), [], 'no key trained by both');
    assert.deepEqual([...keysOf(ra), ...keysOf(rb)].sort(), keys, 'every key trained');
    for (const r of [...ra, ...rb]) assert.equal(r.version, 1, `${r.modelKey}: its first model`);
    assert.deepEqual(await publishedVersions(), Object.fromEntries(keys.map((k) => [k, [1]])), 'one version per key on the models topic');
    const aCollected = logs[0]?.find((l) => l.msg === 'training data collected');
    assert.deepEqual(Object.keys((aCollected?.keys ?? {}) as object).sort(), keysOf(ra), 'trainer A kept only its own keys\' windows');

    await a.stop();
    trainers.shift();
    await waitFor(() => share(b)?.partitions.length === partitions, { what: 'trainer B to own every partition', timeoutMs: 30_000, intervalMs: 100 });
    const rb2 = await b.trainNow();
    assert.deepEqual(keysOf(rb2), keys, `trainer B trains all four keys: ${JSON.stringify(rb2)}`);
    for (const r of rb2) assert.ok(r.outcome === 'promoted' || r.outcome === 'rejected', `${r.modelKey}: trained and gated (${r.outcome}, ${r.reason})`);
    for (const r of rb2.filter((x) => keysOf(ra).includes(x.modelKey))) assert.notEqual(r.reason, 'first_model', `${r.modelKey}: gated against the model trainer A published`);
  });
});
