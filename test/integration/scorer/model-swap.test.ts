// A new model version published on the trainer's model topics is picked up by
// a running scorer: swapped in between batches, no window dropped, decisions
// made under the new version's threshold, the old model's tensors disposed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Registry } from 'prom-client';
import { createLogger } from '../../../common/log.ts';
import { serialiseArtifact } from '../../../common/model/artifact.ts';
import { createModelPublisher, type ModelPublisher } from '../../../common/model/store/kafka.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { deleteGroups, deleteTopics, testBrokers, testKafka, waitFor } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { produceWindows, readAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const lines: { msg: string }[] = [];
const raw: string[] = [];
const log = createLogger({
  level: 'debug',
  write: (l) => {
    raw.push(l);
    lines.push(JSON.parse(l) as { msg: string });
  },
});
/** The scorer's log, for a failure message. */
const recentLog = (): string => raw.filter((l) => !l.includes('"component":"kafkajs"') || l.includes('"level":"warn"') || l.includes('"level":"error"')).slice(-60).map((l) => l.slice(0, 300)).join('');

describe('model hot swap from the model topic', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let scorer: Scorer | undefined;
  let publisher: ModelPublisher | undefined;
  const registry = new Registry();

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-swap');
    publisher = await createModelPublisher(testKafka(brokers, 'test-models'), setup.config.topics);
  });

  after(async () => {
    await scorer?.stop();
    await publisher?.close();
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  const publish = async (version: number, threshold: number): Promise<void> => {
    const model = zeroModel({ version, threshold });
    const bytes = await serialiseArtifact(model);
    await publisher?.publish(bytes, model.meta);
    model.dispose();
  };

  it('scores with the new version after it is published, without a restart', async () => {
    await publish(1, 1);
    scorer = await startScorer({ config: setup.config, log, registry, groupId: setup.groupId });
    await waitFor(() => scorer?.ready(), { what: 'the scorer to be ready with model v1', timeoutMs: 30_000 });
    const scored = (s: number, seq: number) => window({ sensorId: 's1', seq, value: valueForScore(s) });
    await produceWindows(brokers, setup.config.topics.windows, [scored(2, 0), scored(2, 1)]);
    const [open] = await readAlerts(brokers, setup.config.topics.alerts, 1);
    assert.equal(open?.state, 'open');
    assert.equal(open?.modelVersion, 1);
    const tensorsWithV1 = tf.memory().numTensors;

    await publish(2, 10);
    await waitFor(() => scorer?.models().some((m) => m.version === 2 && m.staged), { what: 'the feed to hand v2 over (staged for the next batch)', timeoutMs: 30_000 });
    await produceWindows(brokers, setup.config.topics.windows, [scored(2, 2), scored(2, 3)]);
    const [, resolved] = await readAlerts(brokers, setup.config.topics.alerts, 2).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nscorer log:\n${recentLog()}`);
    });
    assert.equal(resolved?.state, 'resolve');
    assert.equal(resolved?.alertId, open?.alertId);
    assert.equal(resolved?.modelVersion, 2);
    assert.equal(resolved?.threshold, 10, 'decided under the new threshold');
    assert.ok(lines.some((l) => l.msg === 'model swapped in'));
    assert.equal(tf.memory().numTensors, tensorsWithV1, 'v1 disposed when v2 came in');
    const text = await registry.metrics();
    assert.match(text, /sensorwatch_windows_scored_total\{model="default",type="default"\} 4/, 'no window dropped across the swap');
    assert.match(text, /sensorwatch_model_info\{model="default",version="2",kind="dense",backend="[a-z]+",type="default"\} 1/);
    assert.doesNotMatch(text, /sensorwatch_model_info\{model="default",version="1"/);
  });
});
