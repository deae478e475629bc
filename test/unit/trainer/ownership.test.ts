// Which trainer replica trains which model key: a stable partition per key,
// exactly one owner per key for any split of the partitions, any string key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyPartition, ownsKey, type KeyShare } from '../../../trainer/ownership.ts';

const keys = ['default', 'pumps', 'pump', 'pump.north', 'valve', 'tank.level', 'ünïcode-käy', '', ...Array.from({ length: 200 }, (_, i) => `line${i}`)];

/** Partitions 0..of-1 dealt to `members` members round-robin (the kafkajs default assignor's shape). */
function split(of: number, members: number): KeyShare[] {
  return Array.from({ length: members }, (_, m) => ({ partitions: Array.from({ length: of }, (_, p) => p).filter((p) => p % members === m), of }));
}

describe('trainer ownership', () => {
  it('maps a key to the same partition every time, within the topic', () => {
    for (const k of keys) {
      const p = keyPartition(k, 12);
      assert.ok(Number.isInteger(p) && p >= 0 && p < 12, `${k}: ${p}`);
      assert.equal(keyPartition(k, 12), p);
    }
    assert.equal(keyPartition('anything', 1), 0);
  });

  it('spreads many keys over the partitions', () => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 1200; i++) counts[keyPartition(`sensor-type-${i}`, 12)]! += 1;
    for (const c of counts) assert.ok(c > 60 && c < 140, `per-partition counts ${counts.join(',')}`);
  });

  it('gives every key exactly one owner, whatever the number of replicas', () => {
    for (const members of [1, 2, 3, 5, 12, 13]) {
      const shares = split(12, members);
      for (const k of keys) assert.equal(shares.filter((s) => ownsKey(k, s)).length, 1, `${k} with ${members} replicas`);
    }
  });

  it('a replica without a share trains nothing; without a group every key', () => {
    for (const k of keys) {
      assert.equal(ownsKey(k, null), false);
      assert.equal(ownsKey(k, 'all'), true);
      assert.equal(ownsKey(k, { partitions: [], of: 4 }), false);
    }
  });

  it('refuses a partition count that is not a positive integer', () => {
    assert.throws(() => keyPartition('k', 0), /partition count must be a positive integer, got 0/);
    assert.throws(() => keyPartition('k', 2.5), /got 2.5/);
  });
});
