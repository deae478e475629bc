// Group membership without consuming (common/kafka/membership.ts) against the
// real broker: two members split a topic's partitions, the one left takes
// them all when the other stops, and neither commits an offset.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { joinGroup, type GroupMembership, type PartitionShare } from '../../../common/kafka/membership.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor, withAdmin } from '../../support/kafka.ts';

describe('kafka group membership', () => {
  let brokers: string[];
  const topic = uniqueName('it-membership');
  const groupId = uniqueName('it-membership-group');
  const members: GroupMembership[] = [];

  before(async () => {
    brokers = await testBrokers();
    await createTopics(brokers, [{ name: topic, partitions: 4 }]);
    const producer = createIdempotentProducer(testKafka(brokers, 'it-membership-producer'));
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
  });

  after(async () => {
    for (const m of members) await m.stop();
    await deleteGroups(brokers, [groupId]);
    await deleteTopics(brokers, [topic]);
  });

  it('splits the partitions, hands them all to the one left, and commits nothing', async () => {
    const changes: (PartitionShare | null)[][] = [[], []];
    for (const i of [0, 1]) {
      members.push(await joinGroup(testKafka(brokers, `it-membership-${i}`), { groupId, topic, heartbeatIntervalMs: 300, onChange: (s) => void changes[i]?.push(s) }));
    }
    const [a, b] = members as [GroupMembership, GroupMembership];
    await waitFor(() => a.share()?.partitions.length === 2 && b.share()?.partitions.length === 2, { what: 'two partitions each', timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual([...(a.share()?.partitions ?? []), ...(b.share()?.partitions ?? [])].sort(), [0, 1, 2, 3]);
    assert.equal(a.share()?.of, 4);
    assert.ok(changes[0]?.includes(null), 'the first member held no share while the second joined');
    const settled = await b.settled(Date.now() + 1000);
    assert.deepEqual(settled, b.share(), 'settled() answers at once with the share held');

    const before = b.share()?.generation ?? 0;
    await a.stop();
    members.shift();
    assert.equal(a.share(), null, 'a stopped member holds nothing');
    assert.equal(await a.settled(Date.now() + 5000), null, 'and settles on nothing');
    await waitFor(() => b.share()?.partitions.length === 4, { what: 'the member left to own every partition', timeoutMs: 30_000, intervalMs: 100 });
    assert.ok((b.share()?.generation ?? 0) > before, 'a new assignment');

    const committed = await withAdmin(brokers, (admin) => admin.fetchOffsets({ groupId, topics: [topic] }));
    assert.deepEqual(committed.flatMap((t) => t.partitions.map((p) => p.offset)), ['-1', '-1', '-1', '-1'], 'no offset committed');
  });
});
