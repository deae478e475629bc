import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionByType, sumDetections, typeLines } from '../../../../cli/demo/by-type.ts';
import { demoFleetOverrides, demoTypes, typeOfModelKey, typeWarmupSeconds } from '../../../../cli/demo/fleet.ts';
import { warmupSeconds } from '../../../../cli/demo/trainer.ts';
import { detectionLines } from '../../../../cli/demo/summary.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { loadConfig } from '../../../../common/config/load.ts';
import { typeOf } from '../../../../common/config/sensor-types.ts';
import type { InjectedAnomaly } from '../../../../common/types.ts';

const label = (sensorId: string, start: number, end: number): InjectedAnomaly => ({ sensorId, kind: 'spike', start, end, channels: [0] });
const typeOfId = (id: string): string | undefined => /^(pump|valve|tank)-/.exec(id)?.[1];

describe("the demo's fleet", () => {
  it('is a valid config: pumps 8 channels at 20 Hz, valves 3 at 5 Hz, tanks 1 at 2 Hz, on the one readings topic', () => {
    const config = loadConfig({ env: {}, overrides: demoFleetOverrides });
    const types = demoTypes(config);
    assert.deepEqual(
      types.map((t) => [t.name, t.channels, t.rateHz, t.sensors]),
      [
        ['pump', 8, 20, defaultConfig.simulator.sensors],
        ['valve', 3, 5, defaultConfig.simulator.sensors],
        ['tank', 1, 2, defaultConfig.simulator.sensors],
      ],
    );
    assert.equal(typeOf(config, 'pump-3'), 'pump');
    assert.equal(typeOf(config, 'tank-1'), 'tank');
  });

  it('every type has the windows for its first model within 50 s, so a model within the first minute (training takes 1-4 s)', () => {
    const config = loadConfig({ env: {}, overrides: demoFleetOverrides });
    for (const t of demoTypes(config)) assert.ok(typeWarmupSeconds(t) <= 50, `${t.name}: ${typeWarmupSeconds(t)} s`);
  });

  it('without sensor types the warm-up is the single-type one', () => {
    const [only] = demoTypes(defaultConfig);
    assert.ok(only !== undefined);
    assert.equal(only.name, 'default');
    assert.equal(typeWarmupSeconds(only), warmupSeconds(defaultConfig));
  });

  it('model keys map to their type: the type, or <type>.<group>', () => {
    assert.equal(typeOfModelKey(['pump', 'valve'], 'valve'), 'valve');
    assert.equal(typeOfModelKey(['pump', 'valve'], 'pump.bearings'), 'pump');
    assert.equal(typeOfModelKey(['pump', 'valve'], 'tank'), undefined);
    assert.equal(typeOfModelKey(['default'], 'bearings'), 'default');
  });
});

describe('demo detection per sensor type', () => {
  const types = [
    { name: 'pump', slackMs: 100, scoringSince: 0 },
    { name: 'tank', slackMs: 8000, scoringSince: 5000 },
  ];
  const labels = [label('pump-1', 1000, 2000), label('pump-2', 3000, 4000), label('tank-1', 1000, 2000), label('tank-1', 10_000, 12_000), label('tank-2', 20_000, 21_000)];
  const alerts = [
    { alertId: 'a', sensorId: 'pump-1', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
    { alertId: 'b', sensorId: 'pump-3', kind: 'anomaly', windowStart: 1500, windowEnd: 1600 },
    // within the tank's slack (a window ends 8 s after the anomaly it saw), outside the pump's
    { alertId: 'c', sensorId: 'tank-1', kind: 'anomaly', windowStart: 13_000, windowEnd: 19_000 },
  ];
  const per = detectionByType(alerts, labels, { types, typeOf: typeOfId, now: 60_000 });

  it("each type's alerts against its own anomalies, with its slack and from its first model", () => {
    const [pump, tank] = per.map((p) => p.detection);
    assert.deepEqual([pump?.alerts, pump?.truePositives, pump?.anomalies, pump?.detected], [2, 1, 2, 1]);
    // tank-1's first anomaly ended before the tank had a model: not counted
    assert.deepEqual([tank?.alerts, tank?.truePositives, tank?.anomalies, tank?.detected, tank?.beforeScoring], [1, 1, 2, 1, 1]);
  });

  it('overall is the sum of the types, precision and recall of the sums', () => {
    const all = sumDetections(per.map((p) => p.detection));
    assert.deepEqual([all.alerts, all.truePositives, all.anomalies, all.detected], [3, 2, 4, 2]);
    assert.equal(all.precision, 2 / 3);
    assert.equal(all.recall, 0.5);
    assert.match(detectionLines(all)[0] ?? '', /^alerts opened 3 \(true 2\) {3}precision {3}67% {3}recall {3}50% of 4 injected anomalies$/);
  });

  it('one line per type with its shape, and "no model yet" before its first model', () => {
    const lines = typeLines([
      { ...(per[0] as (typeof per)[number]), channels: 8, rateHz: 20, sensors: 6, scoring: true },
      { ...(per[1] as (typeof per)[number]), channels: 1, rateHz: 2, sensors: 6, scoring: false },
    ]);
    assert.deepEqual(lines, [
      '  pump  6 x 8 ch @ 20 Hz      alerts   2 (true   1)   precision  50%   recall  50% of 2',
      '  tank  6 x 1 ch @ 2 Hz       no model yet',
    ]);
  });
});
