import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig, topicNamesWithPrefix } from '../../../../common/config/defaults.ts';

describe('topicNamesWithPrefix', () => {
  it('puts every default topic name under the prefix, and only the names', () => {
    assert.deepEqual(topicNamesWithPrefix('plant-7'), {
      readings: 'plant-7.readings',
      windows: 'plant-7.windows',
      alerts: 'plant-7.alerts',
      models: 'plant-7.models',
      modelArtifacts: 'plant-7.model-artifacts',
      deadLetter: 'plant-7.dead-letter',
      labels: 'plant-7.labels',
      verdicts: 'plant-7.verdicts',
    });
  });
  it('with the default prefix gives the default names', () => {
    const { partitions: _p, replicationFactor: _r, ...names } = defaultConfig.topics;
    assert.deepEqual(topicNamesWithPrefix('sensorwatch'), names);
  });
});
