import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { createTrainerMetrics, declareModelKeys } from '../../../trainer/metrics.ts';

it('declareModelKeys: every trainer counter exists at 0 for each model key and reject reason before the first run', async () => {
  const registry = new Registry();
  const metrics = createTrainerMetrics(registry, () => 0);
  declareModelKeys(metrics, ['default', 'pumps']);
  const text = await registry.metrics();
  for (const model of ['default', 'pumps']) {
    assert.match(text, new RegExp(`sensorwatch_training_failures_total\\{model="${model}"\\} 0`));
    assert.match(text, new RegExp(`sensorwatch_models_promoted_total\\{model="${model}"\\} 0`));
    for (const reason of ['worse_than_current', 'not_enough_windows', 'training_failed']) {
      assert.match(text, new RegExp(`sensorwatch_models_rejected_total\\{model="${model}",reason="${reason}"\\} 0`));
    }
  }
});
