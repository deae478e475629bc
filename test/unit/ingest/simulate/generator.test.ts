import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSimulator, simulate, type SimulatorOptions } from '../../../../ingest/simulate/generator.ts';
import { anomalyKinds, type AnomalyKind } from '../../../../ingest/simulate/anomalies.ts';
import type { SensorReading } from '../../../../common/types.ts';

const base: SimulatorOptions = {
  sensors: 3,
  channels: ['a', 'b', 'c', 'd'],
  rateHz: 20,
  startTime: Date.UTC(2026, 0, 1),
  seed: 11,
  anomalyEverySeconds: 20,
};

const std = (xs: number[]): number => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};

describe('simulator', () => {
  it('advances event time by one period per tick, one reading per sensor', () => {
    const sim = createSimulator(base);
    assert.deepEqual(sim.sensorIds, ['sensor-000', 'sensor-001', 'sensor-002']);
    for (let i = 0; i < 100; i++) {
      const tick = sim.tick();
      assert.equal(tick.time, base.startTime + i * 50);
      assert.deepEqual(tick.readings.map((r) => r.sensorId), sim.sensorIds);
      for (const r of tick.readings) {
        assert.equal(r.timestamp, tick.time);
        assert.equal(r.values.length, 4);
        assert.ok(r.values.every(Number.isFinite));
      }
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = simulate(base, 30);
    assert.deepEqual(simulate(base, 30), a);
    assert.notDeepEqual(simulate({ ...base, seed: 12 }, 30).readings, a.readings);
  });

  it('makes correlated channels with periodic structure, not white noise', () => {
    const { readings } = simulate({ ...base, sensors: 1, anomalyEverySeconds: 0 }, 120);
    const col = (c: number): number[] => readings.map((r) => r.values[c] as number);
    // lag-1 autocorrelation of a periodic signal sampled at 20 Hz is near 1
    const x = col(0);
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    let num = 0;
    let den = 0;
    for (let i = 1; i < x.length; i++) num += ((x[i] as number) - m) * ((x[i - 1] as number) - m);
    for (const v of x) den += (v - m) ** 2;
    assert.ok(num / den > 0.8, `lag-1 autocorrelation ${num / den}`);
    assert.ok(std(col(1)) > 0.2);
  });

  it('injects every kind over a long run, labels inside the stream, not overlapping per sensor', () => {
    const { readings, labels } = simulate({ ...base, anomalyEverySeconds: 5 }, 600);
    const end = readings.at(-1)?.timestamp as number;
    assert.deepEqual(new Set(labels.map((l) => l.kind)), new Set(anomalyKinds));
    for (const sensor of ['sensor-000', 'sensor-001', 'sensor-002']) {
      const own = labels.filter((l) => l.sensorId === sensor);
      assert.ok(own.length > 30, `${sensor}: ${own.length} anomalies`);
      for (let i = 0; i < own.length; i++) {
        const l = own[i]!;
        assert.ok(l.start >= base.startTime && l.start <= l.end && l.start <= end);
        assert.ok(l.channels.length >= 1 && l.channels.every((c) => c >= 0 && c < 4));
        if (i > 0) assert.ok(l.start > own[i - 1]!.end, 'overlapping anomalies');
      }
    }
  });

  it('respects quietSeconds and anomalyEverySeconds = 0', () => {
    const quiet = simulate({ ...base, anomalyEverySeconds: 2, quietSeconds: 60 }, 120).labels;
    assert.ok(quiet.length > 0 && quiet.every((l) => l.start >= base.startTime + 60_000));
    assert.equal(simulate({ ...base, anomalyEverySeconds: 0 }, 120).labels.length, 0);
  });

  it('rejects bad options with every problem listed', () => {
    assert.throws(() => createSimulator({ ...base, sensors: 0, rateHz: -1 }), /sensors must be a positive integer.*rateHz must be in/);
  });

  // Each kind's effect, isolated: the same seed with and without anomalies has
  // the same normal signal, so the difference is exactly the injected effect.
  const effects: [AnomalyKind, (diff: number[], anomalous: number[], scale: number) => void][] = [
    ['spike', (d, _a, s) => assert.ok(d.length <= 3 && d.every((x) => Math.abs(x) >= 6 * s * 0.99))],
    ['level_shift', (d, _a, s) => assert.ok(d.every((x) => Math.abs(x - (d[0] as number)) < 1e-9) && Math.abs(d[0] as number) >= 2.5 * s * 0.99)],
    ['drift', (d, _a, s) => {
      for (let i = 1; i < d.length; i++) assert.ok(Math.abs(d[i] as number) > Math.abs(d[i - 1] as number));
      assert.ok(Math.abs(d.at(-1) as number) >= 2.5 * s * 0.99);
    }],
    ['flatline', (_d, a) => assert.ok(a.every((x) => x === a[0]))],
    ['noise_burst', (d, _a, s) => assert.ok(std(d) > 1.5 * s, `burst std ${std(d)} vs scale ${s}`)],
    ['frequency_change', (d, _a, s) => assert.ok(Math.max(...d.map(Math.abs)) > 0.1 * s)],
  ];
  for (const [kind, check] of effects) {
    it(`${kind}: changes only the labelled channels during the labelled interval`, () => {
      // Without recoveries: the sensor returns to exactly where it was (the recovery test below has them).
      const opts = { ...base, sensors: 2, kinds: [kind], anomalyEverySeconds: 15, recoveryShare: 0 };
      const dirty = simulate(opts, 120);
      const clean = simulate({ ...opts, anomalyEverySeconds: 0 }, 120);
      assert.ok(dirty.labels.length >= 2);
      const byKey = (rs: SensorReading[]): Map<string, SensorReading> => new Map(rs.map((r) => [`${r.sensorId}@${r.timestamp}`, r]));
      const cleanAt = byKey(clean.readings);
      const sim = createSimulator(opts);
      for (const [index, sensor] of ['sensor-000', 'sensor-001'].entries()) {
        const own = dirty.readings.filter((r) => r.sensorId === sensor);
        for (let c = 0; c < 4; c++) {
          const scale = sim.channelScale(index)[c] as number;
          const inside = (t: number): boolean => dirty.labels.some((l) => l.sensorId === sensor && l.channels.includes(c) && t >= l.start && t <= l.end);
          // an anomaly cut off by the end of the run has not reached its full size
          const last = own.at(-1)?.timestamp as number;
          for (const l of dirty.labels.filter((x) => x.sensorId === sensor && x.channels.includes(c) && x.end <= last)) {
            const during = own.filter((r) => r.timestamp >= l.start && r.timestamp <= l.end);
            const diff = during.map((r) => (r.values[c] as number) - (cleanAt.get(`${sensor}@${r.timestamp}`)?.values[c] as number));
            check(diff, during.map((r) => r.values[c] as number), scale);
          }
          for (const r of own) {
            if (!inside(r.timestamp)) assert.equal(r.values[c], cleanAt.get(`${sensor}@${r.timestamp}`)?.values[c], `${sensor} ch${c} changed outside a label at ${r.timestamp}`);
          }
        }
      }
    });
  }

  it('recovery: after some level shifts and drifts the labelled channels settle at a slightly different operating point for good', () => {
    const opts = { ...base, sensors: 2, kinds: ['level_shift', 'drift'] as const, anomalyEverySeconds: 15, recoveryShare: 0.5 };
    const dirty = simulate(opts, 300);
    const clean = simulate({ ...opts, anomalyEverySeconds: 0 }, 300);
    const cleanAt = new Map(clean.readings.map((r) => [`${r.sensorId}@${r.timestamp}`, r]));
    const sim = createSimulator(opts);
    let recovered = 0;
    let returned = 0;
    for (const [index, sensor] of ['sensor-000', 'sensor-001'].entries()) {
      const own = dirty.readings.filter((r) => r.sensorId === sensor);
      // Every label of the sensor (one cut off by the end of the run bounds the stretch before it).
      const labels = dirty.labels.filter((l) => l.sensorId === sensor);
      for (const [k, l] of labels.entries()) {
        // Between this label's end and the next one's start the sensor is normal: a constant offset from the clean signal per channel.
        const until = labels[k + 1]?.start ?? Number.POSITIVE_INFINITY;
        const between = own.filter((r) => r.timestamp > l.end && r.timestamp < until);
        if (between.length === 0) continue;
        const offsets = [0, 1, 2, 3].map((c) => between.map((r) => (r.values[c] as number) - (cleanAt.get(`${sensor}@${r.timestamp}`)?.values[c] as number)));
        for (const d of offsets) assert.ok(d.every((x) => Math.abs(x - (d[0] as number)) < 1e-9), 'a constant offset while normal');
        const moved = l.channels.filter((c) => Math.abs((offsets[c]?.[0] as number) - (k === 0 ? 0 : (offsetsBefore(own, labels[k - 1]?.end as number, l.start, c) ?? 0))) > 1e-9);
        if (moved.length === 0) returned++;
        else {
          recovered++;
          for (const c of moved) {
            const step = Math.abs((offsets[c]?.[0] as number) - (k === 0 ? 0 : (offsetsBefore(own, labels[k - 1]?.end as number, l.start, c) ?? 0)));
            const scale = sim.channelScale(index)[c] as number;
            assert.ok(step >= 0.15 * scale * 0.999 && step <= 0.3 * scale * 1.001, `new operating point ${step / scale} of the scale`);
          }
        }
      }
    }
    assert.ok(recovered >= 2, `some anomalies recover (${recovered})`);
    assert.ok(returned >= 2, `others return to where they were (${returned})`);

    /** The channel's offset from the clean signal in the normal stretch between two labels. */
    function offsetsBefore(own: SensorReading[], from: number, to: number, c: number): number | undefined {
      const r = own.find((x) => x.timestamp > from && x.timestamp < to);
      return r === undefined ? undefined : (r.values[c] as number) - (cleanAt.get(`${r.sensorId}@${r.timestamp}`)?.values[c] as number);
    }
  });
});
