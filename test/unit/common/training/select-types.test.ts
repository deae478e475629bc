// Training by sensor type (issue 22): windows split by their type's model keys,
// stale ones (a type removed, a sensor moved, another layout) left out, and each
// key trained with its type's merged settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../../../common/config/load.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { minWindowsOf, selectTrainingWindows, smallestMinWindows, trainingConfigFor, trainingKeyOf } from '../../../../common/training/select.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { firstModelPlan, nextFirstRoundAt } from '../../../../trainer/first-model.ts';

const config = parseConfigText(
  `
trainer: { minWindows: 50 }
sensorTypes:
  - name: pump
    sensors: ['p-*']
    windowing: { channels: [x, y] }
    model: { codeSize: 8, groups: { big: [p-1] } }
    trainer: { minWindows: 20 }
  - name: valve
    sensors: ['v-*']
    windowing: { channels: [pos] }
`,
  't.yaml',
);
const w = (sensorId: string, seq: number, sensorType: string, channels: string[]): SignalWindow => ({ sensorId, seq, start: seq, end: seq + 1, channels, samples: [], missing: 0, badQuality: 0, sensorType });

describe('training selection by sensor type', () => {
  it('keys by type and group; leaves out a removed type, a moved sensor and another layout', () => {
    const windows = [w('p-1', 1, 'pump', ['x', 'y']), w('p-2', 1, 'pump', ['x', 'y']), w('v-1', 1, 'valve', ['pos']), w('v-2', 1, 'boiler', ['t']), w('p-3', 1, 'valve', ['pos']), w('v-3', 1, 'valve', ['dp'])];
    const s = selectTrainingWindows(windows, { alerts: [], excludeAlerted: false, groups: config.model.groups, maxWindows: 100, keyOf: trainingKeyOf(config) });
    assert.deepEqual(Object.fromEntries([...s.byKey].map(([k, v]) => [k, v.map((x) => x.sensorId)])), { 'pump.big': ['p-1'], pump: ['p-2'], valve: ['v-1'] });
    assert.equal(s.otherType, 3);
  });

  it('each key trains with its type\'s merged settings; per-key minWindows for first models', () => {
    assert.equal(trainingConfigFor(config, 'pump.big').model.codeSize, 8);
    assert.equal(trainingConfigFor(config, 'pump').trainer.minWindows, 20);
    assert.equal(trainingConfigFor(config, 'valve').model.codeSize, defaultConfig.model.codeSize);
    assert.equal(trainingConfigFor(config, 'valve').trainer.minWindows, 50);
    assert.equal(smallestMinWindows(config), 20);
    const plan = firstModelPlan(new Map([['pump', 25], ['valve', 25]]), () => false, minWindowsOf(config));
    assert.deepEqual(plan.train, ['pump']);
    assert.deepEqual(plan.waiting, [{ modelKey: 'valve', windows: 25 }]);
    const implicit = parseConfigText('trainer: { minWindows: 30 }', 'i.yaml');
    assert.equal(trainingConfigFor(implicit, 'default'), implicit, 'the implicit type trains with the config itself');
    assert.equal(nextFirstRoundAt(100, [{ modelKey: 'valve', outcome: 'skipped', windows: 25 } as never], minWindowsOf(config)), 125);
  });
});
