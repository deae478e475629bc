// Which partitions a topic read waits for, and from where.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPlan, type PartitionRange } from '../../../../common/kafka/read-topic.ts';

const range = (partition: number, low: bigint, high: bigint): PartitionRange => ({ partition, low, high });

describe('readPlan', () => {
  const cases: { name: string; ranges: PartitionRange[]; starts: [number, bigint][]; want: [number, { from: bigint; end: bigint }][] }[] = [
    { name: 'every partition from its beginning', ranges: [range(0, 0n, 5n), range(1, 2n, 4n)], starts: [[0, 0n], [1, 2n]], want: [[0, { from: 0n, end: 5n }], [1, { from: 2n, end: 4n }]] },
    { name: 'an empty partition is not waited for', ranges: [range(0, 3n, 3n), range(1, 0n, 1n)], starts: [[0, 3n], [1, 0n]], want: [[1, { from: 0n, end: 1n }]] },
    { name: 'a start at the end (only new records) waits for nothing', ranges: [range(0, 0n, 7n)], starts: [[0, 7n]], want: [] },
    { name: 'no record after the time asked for (-1)', ranges: [range(0, 0n, 7n), range(1, 0n, 9n)], starts: [[0, -1n], [1, 4n]], want: [[1, { from: 4n, end: 9n }]] },
    { name: 'a partition without a start is not read', ranges: [range(0, 0n, 7n), range(1, 0n, 9n)], starts: [[1, 0n]], want: [[1, { from: 0n, end: 9n }]] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual([...readPlan(c.ranges, new Map(c.starts))], c.want));
  }
});
