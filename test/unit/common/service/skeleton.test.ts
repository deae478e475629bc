// Consumer group names: the ones already deployed are kept, so a deployment
// that upgrades keeps its committed offsets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultGroupIds } from '../../../../common/service/skeleton.ts';

describe('default consumer groups', () => {
  it('keeps the names already deployed', () => {
    assert.equal(defaultGroupIds.ingest('sensorwatch'), 'sensorwatch-ingest');
    assert.equal(defaultGroupIds.scorer('sensorwatch'), 'sensorwatch.scorer');
  });
});
