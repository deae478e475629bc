// The Kafka adapter against the real broker: produce, consume through a group
// with manual commits, resume from the committed offset after a restart, and
// two members of one group sharing the partitions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { consumerLag } from '../../../common/kafka/admin.ts';
import { createConsumer, runBatches } from '../../../common/kafka/consumer.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import type { Consumer, Producer } from '../../../common/kafka/types.ts';
import {
  collectMessages,
  createTopics,
  deleteGroups,
  deleteTopics,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
  withAdmin,
} from '../../support/kafka.ts';

const messagesFor = (from: number, to: number): { key: string; value: string }[] =>
  Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % 7}`, value: `v${from + i}` }));

describe('kafka consumer groups', () => {
  let brokers: string[];
  let producer: Producer;
  const topics: string[] = [];
  const groups: string[] = [];

  before(async () => {
    brokers = await testBrokers();
    producer = createIdempotentProducer(testKafka(brokers, 'producer'));
    await producer.connect();
  });

  after(async () => {
    await producer.disconnect();
    await deleteGroups(brokers, groups);
    await deleteTopics(brokers, topics);
  });

  it('reads what was produced, keyed messages keep their partition', async () => {
    const topic = uniqueName('it-collect');
    topics.push(topic);
    await createTopics(brokers, [{ name: topic, partitions: 3 }]);
    await producer.send({ topic, messages: messagesFor(0, 30) });
    const got = await collectMessages({ brokers, topic, count: 30 });
    assert.equal(got.length, 30);
    assert.deepEqual(
      got.map((m) => m.value?.toString()).sort(),
      messagesFor(0, 30).map((m) => m.value).sort(),
    );
  });

  it('commits only handled batches and a restarted consumer resumes from the committed offset', async () => {
    const topic = uniqueName('it-resume');
    const groupId = uniqueName('it-resume-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [{ name: topic, partitions: 2 }]);
    await producer.send({ topic, messages: messagesFor(0, 40) });

    const first: string[] = [];
    let consumer = createConsumer(testKafka(brokers, 'c1'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      handle: async (batch) => {
        first.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      },
    });
    await waitFor(() => first.length >= 40, { what: 'the first consumer to read 40 messages' });
    // Committed offsets cover everything handled: lag drops to 0.
    await waitFor(async () => (await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]))).every((p) => p.lag === 0), {
      what: 'the group lag to reach 0',
    });
    await consumer.disconnect();

    await producer.send({ topic, messages: messagesFor(40, 55) });
    const lag = await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]));
    assert.equal(lag.reduce((sum, p) => sum + p.lag, 0), 15);

    const second: string[] = [];
    consumer = createConsumer(testKafka(brokers, 'c1-restarted'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      handle: async (batch) => {
        second.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      },
    });
    await waitFor(() => second.length >= 15, { what: 'the restarted consumer to read the 15 new messages' });
    await consumer.disconnect();
    assert.deepEqual(second.sort(), messagesFor(40, 55).map((m) => m.value).sort(), 'resumed after the committed offset, nothing replayed');
    assert.equal(first.length, 40, 'the first consumer saw each message once');
  });

  it('a failed batch is not committed and is delivered again', async () => {
    const topic = uniqueName('it-replay');
    const groupId = uniqueName('it-replay-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [topic]);
    await producer.send({ topic, messages: messagesFor(0, 5) });

    const seen: string[] = [];
    let failures = 0;
    const consumer = createConsumer(testKafka(brokers, 'replay'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      handle: async (batch) => {
        if (failures === 0) {
          failures++;
          throw new Error('alerts not acknowledged (simulated)');
        }
        seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      },
    });
    await waitFor(() => seen.length >= 5, { timeoutMs: 30_000, what: 'the batch to be delivered again after the failure' });
    await consumer.disconnect();
    assert.equal(failures, 1);
    assert.deepEqual(seen, messagesFor(0, 5).map((m) => m.value));
  });

  it('pipelined: the next batch is fetched before the first is durable; offsets are committed only once durable, and stop() waits for that', async () => {
    const topic = uniqueName('it-pipelined');
    const groupId = uniqueName('it-pipelined-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [topic]);
    await producer.send({ topic, messages: messagesFor(0, 5) });

    const releases: (() => void)[] = [];
    const seen: string[] = [];
    const consumer = createConsumer(testKafka(brokers, 'pipelined'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    const run = await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      handle: async (batch) => {
        seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
        return { durable: new Promise<void>((resolve) => releases.push(resolve)) };
      },
    });
    await waitFor(() => seen.length >= 5, { what: 'the first batch' });
    await producer.send({ topic, messages: messagesFor(5, 8) });
    await waitFor(() => seen.length >= 8, { what: 'the second batch, fetched while the first is not durable' });
    const lag = async (): Promise<number> => (await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]))).reduce((sum, p) => sum + p.lag, 0);
    assert.equal(await lag(), 8, 'nothing committed while no batch is durable');
    const stopped = run.stop();
    releases.forEach((release) => release());
    await stopped;
    assert.equal(await lag(), 0, 'stop() committed both batches once they were durable');
  });

  it('pipelined: a durable batch with a later one queued leaves its commit to that one; the last batch is always committed', async () => {
    const topic = uniqueName('it-pipelined-coalesce');
    const groupId = uniqueName('it-pipelined-coalesce-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [topic]);

    const releases: (() => void)[] = [];
    let seen = 0;
    const consumer = createConsumer(testKafka(brokers, 'pipelined-coalesce'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    const committed: string[] = [];
    const commit = consumer.commitOffsets.bind(consumer);
    consumer.commitOffsets = async (offsets) => {
      committed.push(...offsets.map((o) => o.offset));
      return commit(offsets);
    };
    const run = await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      commitIntervalMs: 60_000,
      handle: async (batch) => {
        seen += batch.messages.length;
        return { durable: new Promise<void>((resolve) => releases.push(resolve)) };
      },
    });
    // Four batches, each fetched on its own, none durable yet.
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic, messages: messagesFor(i * 2, i * 2 + 2) });
      await waitFor(() => seen >= i * 2 + 2, { what: `batch ${i + 1}` });
    }
    assert.equal(releases.length, 4);
    releases.forEach((release) => release());
    const lag = async (): Promise<number> => (await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]))).reduce((sum, p) => sum + p.lag, 0);
    await waitFor(async () => (await lag()) === 0, { what: 'the last batch committed' });
    await run.stop();
    // The first commit of the lane goes out; the second and third are covered by the fourth.
    assert.deepEqual(committed, ['2', '8']);
  });

  it('back-pressure: a partition with more than maxInFlight batches not durable is not read further until they become durable, and not at all once stop() begins', async () => {
    const topic = uniqueName('it-backpressure');
    const groupId = uniqueName('it-backpressure-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [topic]);

    const releases: (() => void)[] = [];
    const seen: string[] = [];
    const consumer = createConsumer(testKafka(brokers, 'backpressure'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    const run = await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      maxInFlight: 1,
      handle: async (batch) => {
        seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
        return { durable: new Promise<void>((resolve) => releases.push(resolve)) };
      },
    });
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1500));
    // Two batches taken (one waiting, one over the limit): the partition is held back.
    for (let i = 0; i < 2; i++) {
      await producer.send({ topic, messages: messagesFor(i * 2, i * 2 + 2) });
      await waitFor(() => seen.length >= i * 2 + 2, { what: `batch ${i + 1}` });
    }
    await producer.send({ topic, messages: messagesFor(4, 6) });
    await settle();
    assert.equal(seen.length, 4, 'nothing fetched while two batches wait and maxInFlight is 1');
    // The first becomes durable: one waits, so the partition is read again and the third batch comes.
    releases[0]?.();
    await waitFor(() => seen.length >= 6, { what: 'the third batch, once the first was durable' });
    // Held back again (two wait). A stop begins; the batches become durable; nothing more is fetched.
    await producer.send({ topic, messages: messagesFor(6, 8) });
    await settle();
    assert.equal(seen.length, 6, 'held back again with two batches waiting');
    const stopped = run.stop();
    releases.slice(1).forEach((release) => release());
    await stopped;
    assert.deepEqual(seen, messagesFor(0, 6).map((m) => m.value), 'each record once, in order, and none after the stop began');
    const lag = (await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]))).reduce((sum, p) => sum + p.lag, 0);
    assert.equal(lag, 2, 'everything handled is committed; the batch sent while held back is left for the next consumer');
  });

  it('pipelined: a batch whose effects failed is not committed and a restarted consumer reads it again', async () => {
    const topic = uniqueName('it-pipelined-fail');
    const groupId = uniqueName('it-pipelined-fail-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [topic]);
    await producer.send({ topic, messages: messagesFor(0, 4) });

    let first = true;
    const consumer = createConsumer(testKafka(brokers, 'pipelined-fail'), { groupId, maxWaitTimeMs: 100 });
    await consumer.connect();
    let handled = 0;
    const run = await runBatches(consumer, {
      topics: [topic],
      fromBeginning: true,
      handle: async (batch) => {
        handled += batch.messages.length;
        const fail = first;
        first = false;
        return { durable: fail ? Promise.reject(new Error('publish failed (simulated)')) : Promise.resolve() };
      },
    });
    await waitFor(() => handled >= 4, { what: 'the batch' });
    await producer.send({ topic, messages: messagesFor(4, 6) });
    await waitFor(() => handled >= 6, { what: 'the batch after the failed one' });
    await run.stop();
    const lag = (await withAdmin(brokers, (a) => consumerLag(a, groupId, [topic]))).reduce((sum, p) => sum + p.lag, 0);
    assert.equal(lag, 6, 'neither the failed batch nor anything after it in its partition was committed');

    const again: string[] = [];
    const restarted = createConsumer(testKafka(brokers, 'pipelined-fail-restarted'), { groupId, maxWaitTimeMs: 100 });
    await restarted.connect();
    const rerun = await runBatches(restarted, { topics: [topic], fromBeginning: true, handle: async (batch) => void again.push(...batch.messages.map((m) => m.value?.toString() ?? '')) });
    await waitFor(() => again.length >= 6, { what: 'the restarted consumer to read the uncommitted batches again' });
    await rerun.stop();
    assert.deepEqual(again, messagesFor(0, 6).map((m) => m.value));
  });

  it('two consumers in one group share the partitions and together read everything once', async () => {
    const topic = uniqueName('it-share');
    const groupId = uniqueName('it-share-group');
    topics.push(topic);
    groups.push(groupId);
    await createTopics(brokers, [{ name: topic, partitions: 4 }]);

    const byMember = new Map<string, Set<number>>();
    const values: string[] = [];
    const start = async (name: string): Promise<Consumer> => {
      byMember.set(name, new Set());
      const consumer = createConsumer(testKafka(brokers, name), {
        groupId,
        maxWaitTimeMs: 100,
        onJoin: (assignment) => byMember.set(name, new Set(assignment[topic] ?? [])),
      });
      await consumer.connect();
      await runBatches(consumer, {
        topics: [topic],
        fromBeginning: true,
        handle: async (batch) => {
          values.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
        },
      });
      return consumer;
    };
    const a = await start('a');
    const b = await start('b');
    await waitFor(() => byMember.get('a')?.size === 2 && byMember.get('b')?.size === 2, {
      timeoutMs: 30_000,
      what: 'the group to rebalance into 2 partitions per member',
    });
    const assigned = [...(byMember.get('a') ?? []), ...(byMember.get('b') ?? [])].sort();
    assert.deepEqual(assigned, [0, 1, 2, 3], 'each partition has exactly one owner');

    await producer.send({ topic, messages: messagesFor(0, 80) });
    await waitFor(() => values.length >= 80, { what: 'the two members to read 80 messages' });
    await Promise.all([a.disconnect(), b.disconnect()]);
    assert.equal(new Set(values).size, 80);
    assert.equal(values.length, 80, 'no message read twice');
  });
});
