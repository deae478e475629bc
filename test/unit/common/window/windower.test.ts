import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadingQuality, SensorReading, SignalWindow } from '../../../../common/types.ts';
import { createWindower, windowsFromReadings, type PushOutcome } from '../../../../common/window/windower.ts';
import type { WindowOptions } from '../../../../common/window/options.ts';

const base: WindowOptions = {
  channels: ['a', 'b'],
  length: 4,
  hop: 2,
  samplePeriodMs: 10,
  allowedLatenessMs: 20,
  gapPolicy: 'fill',
  maxGapSamples: 2,
};

const r = (t: number, v = t, sensorId = 's1', quality: ReadingQuality | null = null): SensorReading => ({ sensorId, timestamp: t, values: [v, -v], quality });
const range = (from: number, to: number): number[] => Array.from({ length: (to - from) / 10 + 1 }, (_, i) => from + i * 10);
const summary = (w: SignalWindow): string => `${w.sensorId}#${w.seq} ${w.start}-${w.end} m${w.missing} b${w.badQuality}`;

interface Case {
  name: string;
  options?: Partial<WindowOptions>;
  readings: SensorReading[];
  flush: boolean;
  outcomes?: PushOutcome[];
  windows: string[];
  /** Column a of each window, when the values matter. */
  columnA?: number[][];
}

const cases: Case[] = [
  { name: 'in order, flushed: a window every hop samples', readings: range(0, 70).map((t) => r(t)), flush: true, windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0', 's1#2 40-70 m0 b0'] },
  { name: 'in order, not flushed: samples within the lateness stay buffered', readings: range(0, 70).map((t) => r(t)), flush: false, windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0'] },
  {
    name: 'out of order within the lateness is put back in order',
    readings: [0, 10, 30, 20, 50, 40, 60, 70].map((t) => r(t)),
    flush: true,
    outcomes: Array<PushOutcome>(8).fill('accepted'),
    windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0', 's1#2 40-70 m0 b0'],
    columnA: [[0, 10, 20, 30], [20, 30, 40, 50], [40, 50, 60, 70]],
  },
  {
    name: 'a reading behind an already released sample is late',
    readings: [...range(0, 60).map((t) => r(t)), r(35)],
    flush: true,
    outcomes: [...Array<PushOutcome>(7).fill('accepted'), 'late'],
    windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0'],
  },
  {
    name: 'a reading more than allowedLatenessMs behind the newest is late even if its slot is free',
    readings: [r(0), r(10), r(40), r(15)],
    flush: false,
    outcomes: ['accepted', 'accepted', 'accepted', 'late'],
    windows: [],
  },
  {
    name: 'exact duplicates are dropped, in the buffer and after release (while still in the last window)',
    readings: [r(0), r(10), r(10), ...range(20, 70).map((t) => r(t)), r(30)],
    flush: true,
    outcomes: ['accepted', 'accepted', 'duplicate', ...Array<PushOutcome>(6).fill('accepted'), 'duplicate'],
    windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0', 's1#2 40-70 m0 b0'],
  },
  {
    name: 'same timestamp, different values: the first is kept',
    readings: [r(0), r(10), r(10, 99), r(20), r(30), r(40), r(50), r(30, 77)],
    flush: true,
    outcomes: ['accepted', 'accepted', 'conflict', 'accepted', 'accepted', 'accepted', 'accepted', 'conflict'],
    windows: ['s1#0 0-30 m0 b0', 's1#1 20-50 m0 b0'],
    columnA: [[0, 10, 20, 30], [20, 30, 40, 50]],
  },
  {
    name: 'fill: a gap of up to maxGapSamples carries the last value forward',
    readings: [0, 10, 40, 50, 60, 70].map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-30 m2 b0', 's1#1 20-50 m2 b0', 's1#2 40-70 m0 b0'],
    columnA: [[0, 10, 10, 10], [10, 10, 40, 50], [40, 50, 60, 70]],
  },
  {
    name: 'fill: a reading for a slot already filled in is late',
    readings: [0, 10, 40, 50, 60, 70, 20].map((t) => r(t)),
    flush: true,
    outcomes: [...Array<PushOutcome>(6).fill('accepted'), 'late'],
    windows: ['s1#0 0-30 m2 b0', 's1#1 20-50 m2 b0', 's1#2 40-70 m0 b0'],
  },
  {
    name: 'fill: a gap longer than maxGapSamples starts a fresh window',
    readings: [0, 10, 20, 60, 70, 80, 90, 100, 110].map((t) => r(t)),
    flush: true,
    windows: ['s1#0 60-90 m0 b0', 's1#1 80-110 m0 b0'],
  },
  {
    name: 'reset: any gap starts a fresh window',
    options: { gapPolicy: 'reset' },
    readings: [0, 10, 20, 30, 50, 60, 70, 80].map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-30 m0 b0', 's1#1 50-80 m0 b0'],
  },
  {
    name: 'timing jitter under half a period is not a gap',
    readings: [0, 11, 19, 31, 38, 52].map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-31 m0 b0', 's1#1 19-52 m0 b0'],
  },
  {
    name: 'bad-quality samples are counted',
    readings: [r(0), r(10, 10, 's1', 'bad'), r(20, 20, 's1', 'good'), r(30, 30, 's1', 'bad'), r(40), r(50)],
    flush: true,
    windows: ['s1#0 0-30 m0 b2', 's1#1 20-50 m0 b1'],
  },
  {
    name: 'hop equal to length: tumbling windows',
    options: { hop: 4 },
    readings: range(0, 110).map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-30 m0 b0', 's1#1 40-70 m0 b0', 's1#2 80-110 m0 b0'],
  },
  {
    name: 'sensors are windowed independently, each with its own seq',
    readings: range(0, 50).flatMap((t) => [r(t, t, 'x'), r(t + 5, t, 'y')]),
    flush: true,
    windows: ['x#0 0-30 m0 b0', 'y#0 5-35 m0 b0', 'x#1 20-50 m0 b0', 'y#1 25-55 m0 b0'],
  },
];

describe('windower', () => {
  for (const c of cases) {
    it(c.name, () => {
      const w = createWindower({ ...base, ...c.options });
      const out: SignalWindow[] = [];
      const outcomes = c.readings.map((reading) => w.push(reading, out));
      if (c.flush) w.flush(out);
      if (c.outcomes) assert.deepEqual(outcomes, c.outcomes);
      assert.deepEqual(out.map(summary), c.windows);
      if (c.columnA) assert.deepEqual(out.map((win) => win.samples.filter((_, i) => i % 2 === 0)), c.columnA);
      for (const win of out) {
        assert.equal(win.samples.length, 4 * 2);
        assert.deepEqual(win.channels, ['a', 'b']);
        // column b is always -a: rows are never mixed up
        for (let i = 0; i < win.samples.length; i += 2) assert.equal(win.samples[i + 1], -(win.samples[i] as number));
      }
    });
  }

  it('counts what it saw', () => {
    const { windows, stats } = windowsFromReadings([r(0), r(10), r(10), r(10, 5), r(40), r(50), r(5)], base);
    assert.equal(windows.length, 2);
    assert.deepEqual(stats, { accepted: 4, duplicates: 1, conflicts: 1, late: 1, filled: 2, resets: 0, windows: 2 });
  });

  it('reports buffered samples and sensors', () => {
    const w = createWindower(base);
    const out: SignalWindow[] = [];
    for (const t of [0, 10, 20, 30]) w.push(r(t), out);
    w.push(r(0, 0, 'other'), out);
    assert.equal(w.sensorCount(), 2);
    assert.equal(w.buffered(), 3); // s1: 20, 30 (watermark 10); other: 0
    w.flush(out);
    assert.equal(w.buffered(), 0);
  });

  const bad: [string, Partial<WindowOptions>, RegExp][] = [
    ['zero length', { length: 0 }, /length must be a positive integer/],
    ['fractional hop', { hop: 1.5 }, /hop must be a positive integer/],
    ['no channels', { channels: [] }, /at least one channel/],
    ['duplicate channel names', { channels: ['a', 'a'] }, /duplicate names/],
    ['negative lateness', { allowedLatenessMs: -1 }, /allowedLatenessMs must be >= 0/],
  ];
  for (const [name, patch, message] of bad) {
    it(`rejects options: ${name}`, () => assert.throws(() => createWindower({ ...base, ...patch }), message));
  }
});
