// ensureTopics against the real broker: creates what is missing, leaves what
// exists alone, and reports an existing topic whose partition count differs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureTopics } from '../../../common/kafka/admin.ts';
import { createTopics, deleteTopics, testBrokers, uniqueName, withAdmin } from '../../support/kafka.ts';

describe('ensureTopics', () => {
  let brokers: string[];
  const topics: string[] = [];

  before(async () => {
    brokers = await testBrokers();
  });

  after(async () => {
    await deleteTopics(brokers, topics);
  });

  it('creates the missing topic and reports the existing one with fewer partitions than asked', async () => {
    const existing = uniqueName('it-topics-existing');
    const fresh = uniqueName('it-topics-fresh');
    topics.push(existing, fresh);
    await createTopics(brokers, [{ name: existing, partitions: 1 }]);

    const result = await withAdmin(brokers, (admin) =>
      ensureTopics(admin, [
        { name: existing, partitions: 3 },
        { name: fresh, partitions: 2 },
      ]),
    );
    assert.deepEqual(result.created, [fresh]);
    assert.deepEqual(result.existing, [existing]);
    assert.deepEqual(result.mismatched, [{ name: existing, want: 3, have: 1 }]);

    const meta = await withAdmin(brokers, (admin) => admin.fetchTopicMetadata({ topics: [existing, fresh] }));
    const partitions = Object.fromEntries(meta.topics.map((t) => [t.name, t.partitions.length]));
    assert.deepEqual(partitions, { [existing]: 1, [fresh]: 2 }, 'the existing topic is left as it was');

    const again = await withAdmin(brokers, (admin) => ensureTopics(admin, [{ name: fresh, partitions: 2 }]));
    assert.deepEqual(again.mismatched, [], 'a matching topic is not reported');
  });
});
