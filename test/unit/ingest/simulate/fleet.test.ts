import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import { typeOf } from '../../../../common/config/sensor-types.ts';
import type { Config } from '../../../../common/config/types.ts';
import { createFleet, fleetFromConfig, idsFromPatterns, simulateFleet, type FleetType } from '../../../../ingest/simulate/fleet.ts';
import { createSimulator, simulate } from '../../../../ingest/simulate/generator.ts';

const start = Date.UTC(2026, 0, 1);
const mixed: FleetType[] = [
  { name: 'pump', ids: ['pump-1', 'pump-2'], sensors: 2, channels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], rateHz: 20 },
  { name: 'valve', ids: ['valve-1', 'valve-2', 'valve-3'], sensors: 3, channels: ['pos', 'dp', 'cmd'], rateHz: 5 },
  { name: 'tank', ids: ['tank-1'], sensors: 1, channels: ['level'], rateHz: 2 },
];

/** A config with sensor types, as the loader would give it (the type sections merged by typeConfig). */
function fleetConfig(): Config {
  return {
    ...defaultConfig,
    sensorTypes: [
      { name: 'pump', sensors: ['pump-*'], windowing: { channels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], samplePeriodMs: 50 } },
      { name: 'valve', sensors: ['v-17', 'valve-??'], windowing: { channels: ['pos', 'dp', 'cmd'], samplePeriodMs: 200 } },
      { name: 'tank', sensors: ['tank-*'], windowing: { channels: ['level'], samplePeriodMs: 500 } },
    ],
  } as unknown as Config;
}

describe('simulated fleet', () => {
  it('without sensor types it is exactly the single simulator: same ids, values and labels', () => {
    const options = { sensors: 3, channels: defaultConfig.windowing.channels, rateHz: 10, startTime: start, seed: 5, anomalyEverySeconds: 4 };
    const types = fleetFromConfig({ ...defaultConfig, simulator: { ...defaultConfig.simulator, sensors: 3 } }, { rateHz: 10 });
    assert.deepEqual(types, [{ name: 'default', sensors: 3, channels: defaultConfig.windowing.channels, rateHz: 10 }]);
    assert.deepEqual(simulateFleet({ types, startTime: start, seed: 5, anomalyEverySeconds: 4 }, 20), simulate(options, 20));
  });

  it('each type keeps its own channel count and sample period on one stream, in event-time order', () => {
    const { readings, labels } = simulateFleet({ types: mixed, startTime: start, seed: 3, anomalyEverySeconds: 5 }, 30);
    for (const t of mixed) {
      for (const id of t.ids ?? []) {
        const mine = readings.filter((r) => r.sensorId === id);
        assert.equal(mine.length, 30 * t.rateHz, `${id}: readings`);
        assert.ok(mine.every((r) => r.values.length === t.channels.length && r.values.every(Number.isFinite)), `${id}: channels`);
        const gaps = new Set(mine.slice(1).map((r, i) => r.timestamp - (mine[i] as { timestamp: number }).timestamp));
        assert.deepEqual([...gaps].map((g) => Math.round(g / (1000 / t.rateHz))), [...gaps].map(() => 1), `${id}: period`);
      }
      // anomalies are injected on every type, on its own channels
      const own = labels.filter((l) => (t.ids ?? []).includes(l.sensorId));
      assert.ok(own.length >= 1, `${t.name}: labels`);
      assert.ok(own.every((l) => l.channels.every((c) => c < t.channels.length)), `${t.name}: label channels`);
    }
    assert.ok(readings.every((r, i) => i === 0 || r.timestamp >= (readings[i - 1] as { timestamp: number }).timestamp), 'event-time order');
  });

  it('is deterministic, and adding a type does not change the others', () => {
    const a = simulateFleet({ types: mixed, startTime: start, seed: 3, anomalyEverySeconds: 5 }, 10);
    assert.deepEqual(simulateFleet({ types: mixed, startTime: start, seed: 3, anomalyEverySeconds: 5 }, 10), a);
    const two = simulateFleet({ types: mixed.slice(0, 2), startTime: start, seed: 3, anomalyEverySeconds: 5 }, 10);
    assert.deepEqual(two.readings, a.readings.filter((r) => !r.sensorId.startsWith('tank')));
  });

  it('a run of a duration gives each type round(duration x rate) ticks, then nextTime is Infinity', () => {
    const fleet = createFleet({ types: mixed, startTime: start, seed: 1, anomalyEverySeconds: 0, durationSeconds: 1.1 });
    const perSensor = new Map<string, number>();
    while (fleet.nextTime() < Number.POSITIVE_INFINITY) for (const r of fleet.tick().readings) perSensor.set(r.sensorId, (perSensor.get(r.sensorId) ?? 0) + 1);
    assert.equal(perSensor.get('pump-1'), 22);
    assert.equal(perSensor.get('valve-1'), 6);
    assert.equal(perSensor.get('tank-1'), 2);
    assert.throws(() => fleet.tick(), /produced its duration/);
  });

  it('refuses a sensor simulated by two types', () => {
    assert.throws(() => createFleet({ types: [mixed[0] as FleetType, { ...(mixed[2] as FleetType), ids: ['pump-1'] }], startTime: start, seed: 1, anomalyEverySeconds: 0 }), /sensor pump-1 is simulated by two types/);
  });
});

describe('the single simulator under a fleet', () => {
  const base = { sensors: 2, channels: ['a'], rateHz: 3, startTime: start, seed: 1, anomalyEverySeconds: 0 };
  it('takes explicit ids, and says when its next tick is', () => {
    const sim = createSimulator({ ...base, ids: ['tank-1', 'tank-2'] });
    assert.deepEqual(sim.sensorIds, ['tank-1', 'tank-2']);
    assert.equal(sim.nextTime(), start);
    sim.tick();
    assert.equal(sim.nextTime(), start + 333);
    // ids change the names only: the values are those of sensor-000, sensor-001
    assert.deepEqual(sim.tick().readings.map((r) => r.values), simulate(base, 1).readings.slice(2, 4).map((r) => r.values));
  });
  it('refuses ids of the wrong count or repeated', () => {
    assert.throws(() => createSimulator({ ...base, ids: ['x'] }), /ids must name 2 sensors, got 1/);
    assert.throws(() => createSimulator({ ...base, ids: ['x', 'x'] }), /ids must be distinct/);
  });
});

describe('sensor ids from a type\'s patterns', () => {
  it('exact ids first, then the first glob numbered from 1, runs of ? zero-padded', () => {
    assert.deepEqual(idsFromPatterns(['p-17', 'pump-*'], 4, () => true), ['p-17', 'pump-1', 'pump-2', 'pump-3']);
    assert.deepEqual(idsFromPatterns(['valve-??'], 3, () => true), ['valve-01', 'valve-02', 'valve-03']);
    assert.deepEqual(idsFromPatterns(['a', 'b', 'c'], 2, () => true), ['a', 'b']);
    assert.deepEqual(idsFromPatterns(['x-?'], 20, () => true).length, 9);
  });

  it('skips ids an earlier type takes (first match wins)', () => {
    assert.deepEqual(idsFromPatterns(['pump-*'], 3, (id) => id !== 'pump-2'), ['pump-1', 'pump-3', 'pump-4']);
  });

  it('from a config: each type its ids (matching its patterns), channels and the rate of its sample period', () => {
    const config = fleetConfig();
    const types = fleetFromConfig(config, { sensors: 3 });
    assert.deepEqual(
      types.map((t) => [t.name, t.ids, t.channels.length, t.rateHz]),
      [
        ['pump', ['pump-1', 'pump-2', 'pump-3'], 8, 20],
        ['valve', ['v-17', 'valve-01', 'valve-02'], 3, 5],
        ['tank', ['tank-1', 'tank-2', 'tank-3'], 1, 2],
      ],
    );
    for (const t of types) for (const id of t.ids ?? []) assert.equal(typeOf(config, id), t.name);
  });

  it('with sensor types --rate is refused: each type has its own', () => {
    assert.throws(() => fleetFromConfig(fleetConfig(), { rateHz: 10 }), /--rate sets the rate of the single implicit sensor type/);
  });
});
