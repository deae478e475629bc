// Trainer replicas on the real broker: two trainers in one group on a windows
// topic of four partitions share four model keys (model.groups), each key
// trained by exactly one of them, one version per key on the models topic;
// after one trainer stops, the other trains all four at its next round. A
// trainer that learns of a rebalance in the middle of its round publishes
// nothing it trained across it.
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

interface Fixture {
  brokers: string[];
  config: Config;
  groupId: string;
  trainers: Trainer[];
  logs: Record<string, unknown>[][];
  logOf(i: number): ReturnType<typeof createLogger>;
  /** Promoted versions per key on the model-artifacts topic. */
  publishedVersions(): Promise<Record<string, number[]>>;
  cleanUp(): Promise<void>;
}

/** Topics (windows: four partitions, 30 windows per key's sensor on it), config and a group; `training`: the model's epochs and patience. */
async function fixture(name: string, training: { epochs: number; patience: number }): Promise<Fixture> {
  const brokers = await testBrokers();
  const dir = mkdtempSync(join(tmpdir(), `sw-trainer-${name}-`));
  const config: Config = {
    ...defaultConfig,
    kafka: { ...defaultConfig.kafka, brokers },
    topics: {
      ...defaultConfig.topics,
      windows: uniqueName(`it-${name}-windows`),
      alerts: uniqueName(`it-${name}-alerts`),
      models: uniqueName(`it-${name}-models`),
      modelArtifacts: uniqueName(`it-${name}-artifacts`),
      partitions,
    },
    windowing: { ...defaultConfig.windowing, channels: ['ch0', 'ch1', 'ch2', 'ch3'], length: 16, hop: 16 },
    // sensor s<i> is the only sensor of keys[i]: no window falls to the default key
    model: { ...smallModelConfig({ kind: 'dense' }, training), groups: Object.fromEntries(keys.map((k, i) => [k, [`s${i}`]])) },
    trainer: { ...defaultConfig.trainer, schedule: '1h', minWindows: 20, modelDir: join(dir, 'models'), backend: 'wasm' },
    logLevel: 'info',
  };
  await createTopics(brokers, [{ name: config.topics.windows, partitions }, config.topics.alerts]);
  const producer = createIdempotentProducer(testKafka(brokers, `it-${name}-producer`));
  await producer.connect();
  const windows = syntheticWindows({ sensors: 4, windowsPerSensor: 30, seed: 11 });
  await producer.send({ topic: config.topics.windows, messages: windows.map((w) => ({ key: w.sensorId, value: encodeWindow(w) })) });
  await producer.disconnect();

  const logs: Record<string, unknown>[][] = [[], []];
  const logOf = (i: number) => createLogger({ level: 'info', write: (l) => void logs[i]?.push(JSON.parse(l) as Record<string, unknown>) });
  const f: Fixture = {
    brokers,
    config,
    groupId: uniqueName(`it-${name}-trainers`),
    trainers: [],
    logs,
    logOf,
    async publishedVersions() {
      const catalog = createModelCatalog();
      const reader = await readArtifactLog({ kafka: testKafka(brokers, `it-${name}-catalog`), topic: config.topics.modelArtifacts, log: logOf(0), onRecord: (r) => void catalog.apply(r) });
      await reader.caughtUp;
      await reader.stop();
      return Object.fromEntries(keys.map((k) => [k, catalog.versions(k)]));
    },
    async cleanUp() {
      for (const t of f.trainers) await t.stop();
      const t = config.topics;
      await deleteTopics(brokers, [t.windows, t.alerts, t.models, t.modelArtifacts]);
      await deleteGroups(brokers, [f.groupId]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}

const keys = fourKeys();
const keysOf = (reports: TrainReport[], outcome?: TrainReport['outcome']) => reports.filter((r) => outcome === undefined || r.outcome === outcome).map((r) => r.modelKey).sort();
const shareOf = (t: Trainer) => {
  const s = t.share();
  return s === null || s === 'all' ? null : s;
};
/** (key, version) pairs promoted by any trainer, as logged. */
const promotions = (f: Fixture) => f.logs.flat().filter((l) => l.msg === 'model promoted and published').map((l) => `${String(l.modelKey)}/${String(l.version)}`);

describe('trainer replicas share the model keys', () => {
  let f: Fixture;
  before(async () => (f = await fixture('replicas', { epochs: 2, patience: 10 })));
  after(async () => f.cleanUp());

  it('splits four keys between two trainers, then one trains all four after the other stops', async () => {
    const { config, groupId, trainers, logs, logOf } = f;
    // Unscheduled: rounds run on trainNow() only, so the test decides when each replica trains.
    for (const i of [0, 1]) trainers.push(await startTrainer({ config, log: logOf(i), registry: new Registry(), scheduled: false, groupId, sessionTimeoutMs: 10_000 }));
    const [a, b] = trainers as [Trainer, Trainer];
    await waitFor(() => shareOf(a)?.partitions.length === 2 && shareOf(b)?.partitions.length === 2, { what: 'both trainers to own two windows partitions', timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual([...(shareOf(a)?.partitions ?? []), ...(shareOf(b)?.partitions ?? [])].sort(), [0, 1, 2, 3], 'the two shares cover the topic once');

    const [ra, rb] = await Promise.all([a.trainNow(), b.trainNow()]);
    assert.equal(keysOf(ra, 'promoted').length, 2, `trainer A promotes two keys: ${JSON.stringify(ra)}`);
    assert.equal(keysOf(rb, 'promoted').length, 2, `trainer B promotes two keys: ${JSON.stringify(rb)}`);
    assert.deepEqual(keysOf(ra).filter((k) => keysOf(rb).includes(k)), [], 'no key trained by both');
    assert.deepEqual([...keysOf(ra), ...keysOf(rb)].sort(), keys, 'every key trained');
    for (const r of [...ra, ...rb]) assert.equal(r.version, 1, `${r.modelKey}: its first model`);
    assert.deepEqual(await f.publishedVersions(), Object.fromEntries(keys.map((k) => [k, [1]])), 'one version per key on the models topic');
    const aCollected = logs[0]?.find((l) => l.msg === 'training data collected');
    assert.deepEqual(Object.keys((aCollected?.keys ?? {}) as object).sort(), keysOf(ra), 'trainer A kept only its own keys\' windows');

    await a.stop();
    trainers.shift();
    await waitFor(() => shareOf(b)?.partitions.length === partitions, { what: 'trainer B to own every partition', timeoutMs: 30_000, intervalMs: 100 });
    const rb2 = await b.trainNow();
    assert.deepEqual(keysOf(rb2), keys, `trainer B trains all four keys: ${JSON.stringify(rb2)}`);
    for (const r of rb2) assert.ok(r.outcome === 'promoted' || r.outcome === 'rejected', `${r.modelKey}: trained and gated (${r.outcome}, ${r.reason})`);
    for (const r of rb2.filter((x) => keysOf(ra).includes(x.modelKey))) assert.notEqual(r.reason, 'first_model', `${r.modelKey}: gated against the model trainer A published`);
    assert.equal(new Set(promotions(f)).size, promotions(f).length, `no version published twice: ${promotions(f).join(', ')}`);
  });
});

describe('trainer replicas: a rebalance in the middle of a round', () => {
  let f: Fixture;
  before(async () => (f = await fixture('rebalance', { epochs: 150, patience: 150 })));
  after(async () => f.cleanUp());

  it('drops what the first trainer trained across the rebalance; every key ends with one owner and no version twice', async () => {
    const { config, groupId, trainers, logOf } = f;
    const opts = { config, registry: new Registry(), scheduled: false, groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 200 } as const;
    let second: Promise<Trainer> | undefined;
    // At A's first epoch B is started, and A's round is held there until A has seen the rebalance
    // (its share is no longer every partition): however fast training is, the rebalance lands inside the round.
    const a: Trainer = await startTrainer({
      ...opts,
      log: logOf(0),
      onEpoch: () => {
        if (second !== undefined) return undefined;
        second = startTrainer({ ...opts, registry: new Registry(), log: logOf(1) });
        return waitFor(() => shareOf(a)?.partitions.length !== partitions, { what: 'trainer A to see the rebalance', timeoutMs: 30_000, intervalMs: 50 });
      },
    });
    trainers.push(a);
    await waitFor(() => shareOf(a)?.partitions.length === partitions, { what: 'trainer A to own every partition', timeoutMs: 30_000, intervalMs: 100 });

    // A's round starts owning all four keys; B joins at A's first epoch.
    const ra = await a.trainNow();
    assert.ok(second, 'trainer B was started during the round');
    const b = await second;
    trainers.push(b);
    const moved = ra.filter((r) => r.reason === 'key_moved');
    assert.ok(moved.length >= 1, `A learned of the rebalance during its round and trained or published fewer keys: ${JSON.stringify(ra.map((r) => [r.modelKey, r.outcome, r.reason]))}`);
    for (const r of moved) assert.equal(r.outcome, 'skipped');

    await waitFor(() => shareOf(a)?.partitions.length === 2 && shareOf(b)?.partitions.length === 2, { what: 'the group to settle on two trainers', timeoutMs: 30_000, intervalMs: 100 });
    const [ra2, rb2] = await Promise.all([a.trainNow(), b.trainNow()]);
    assert.deepEqual(keysOf(ra2).filter((k) => keysOf(rb2).includes(k)), [], 'no key trained by both');
    assert.deepEqual([...keysOf(ra2), ...keysOf(rb2)].sort(), keys, 'every key trained after the rebalance');
    assert.equal(new Set(promotions(f)).size, promotions(f).length, `no version published twice: ${promotions(f).join(', ')}`);
    const published = await f.publishedVersions();
    for (const k of keys) assert.ok((published[k] ?? []).length >= 1, `${k} has a model on the topic`);
  });
});
