import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeLag, describeMismatch, partitionMismatches, topicConfig, type TopicSpec } from '../../../../common/kafka/admin.ts';
import { commitOffsetOf, nextOffset } from '../../../../common/kafka/consumer.ts';

describe('topicConfig', () => {
  const cases: { name: string; spec: TopicSpec; expect: unknown }[] = [
    { name: 'plain', spec: { name: 't', partitions: 3 }, expect: { topic: 't', numPartitions: 3, configEntries: [] } },
    {
      name: 'compacted',
      spec: { name: 'a', partitions: 1, compacted: true },
      expect: { topic: 'a', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    },
    {
      name: 'extra config and replication factor',
      spec: { name: 'r', partitions: 2, replicationFactor: 3, config: { 'retention.ms': '60000' } },
      expect: { topic: 'r', numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '60000' }] },
    },
    {
      name: 'explicit cleanup.policy wins over compacted',
      spec: { name: 'c', partitions: 1, compacted: true, config: { 'cleanup.policy': 'compact,delete' } },
      expect: { topic: 'c', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(topicConfig(c.spec), c.expect));
});

describe('partitionMismatches', () => {
  const specs: TopicSpec[] = [
    { name: 'a', partitions: 3 },
    { name: 'b', partitions: 3 },
    { name: 'c', partitions: 1 },
    { name: 'new', partitions: 3 },
  ];
  it('reports existing topics with another partition count, not missing ones', () => {
    const have = new Map([['a', 3], ['b', 1], ['c', 6]]);
    assert.deepEqual(partitionMismatches(specs, have), [
      { name: 'b', want: 3, have: 1 },
      { name: 'c', want: 1, have: 6 },
    ]);
  });
  it('says what fewer partitions limit and that nothing is changed', () => {
    assert.match(describeMismatch({ name: 'b', want: 3, have: 1 }), /topic b has 1 partition\(s\), topics.partitions asks for 3: at most 1 consumer\(s\) of a group can share it \(sensorwatch does not change existing topics\)/);
    assert.match(describeMismatch({ name: 'c', want: 1, have: 6 }), /more than configured; nothing breaks/);
  });
});

describe('computeLag', () => {
  const offsets = [
    { partition: 1, high: '50', low: '0' },
    { partition: 0, high: '100', low: '10' },
  ];
  const cases: { name: string; committed: { partition: number; offset: string }[]; expect: [number, number, number][] }[] = [
    { name: 'caught up', committed: [{ partition: 0, offset: '100' }, { partition: 1, offset: '50' }], expect: [[0, 100, 0], [1, 50, 0]] },
    { name: 'behind', committed: [{ partition: 0, offset: '60' }, { partition: 1, offset: '45' }], expect: [[0, 60, 40], [1, 45, 5]] },
    { name: 'never committed: lag from the low watermark', committed: [{ partition: 0, offset: '-1' }], expect: [[0, -1, 90], [1, -1, 50]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const lag = computeLag('t', offsets, c.committed);
      assert.deepEqual(lag.map((l) => [l.partition, l.committed, l.lag]), c.expect);
      assert.ok(lag.every((l) => l.topic === 't'));
    });
  }
});

describe('nextOffset', () => {
  const cases: [string, string][] = [
    ['0', '1'],
    ['41', '42'],
    ['9007199254740993', '9007199254740994'], // beyond Number's exact range
  ];
  for (const [last, next] of cases) it(`${last} -> ${next}`, () => assert.equal(nextOffset(last), next));
});

describe('commitOffsetOf', () => {
  const cases: [string, string | undefined, string][] = [
    ['41', undefined, '42'], // nothing held: the offset after the batch
    ['41', '30', '30'], // a record at 30 is still held: commit no further
    ['41', '50', '42'], // never past the batch's end
    ['9007199254740993', '9007199254740990', '9007199254740990'],
  ];
  for (const [last, needed, commit] of cases) it(`last ${last}, needed ${String(needed)} -> ${commit}`, () => assert.equal(commitOffsetOf(last, needed), commit));
});
