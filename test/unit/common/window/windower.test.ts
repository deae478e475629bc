import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadingQuality, SensorReading, SignalWindow } from '../../../../common/types.ts';
import { createWindower, windowsFromReadings, type PushOutcome } from '../../../../common/window/windower.ts';
import { sensorPhase, type WindowOptions } from '../../../../common/window/options.ts';

const base: WindowOptions = {
  channels: ['a', 'b'],
  length: 4,
  hop: 2,
  samplePeriodMs: 10,
  allowedLatenessMs: 20,
  gapPolicy: 'fill',
  maxGapSamples: 2,
  // the exact grids below are stated at phase 0 (the spread phase has its own tests)
  phaseOf: () => 0,
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
    windows: ['s1#3 60-90 m0 b0', 's1#4 80-110 m0 b0'],
  },
  {
    name: 'reset: any gap starts a fresh window, on the grid (slot 5 is not a multiple of hop: the window starts at 60)',
    options: { gapPolicy: 'reset' },
    readings: [0, 10, 20, 30, 50, 60, 70, 80, 90].map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-30 m0 b0', 's1#3 60-90 m0 b0'],
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
    name: 'the grid is absolute: a stream that starts mid-grid waits for the next grid slot',
    readings: range(30, 110).map((t) => r(t)),
    flush: true,
    windows: ['s1#2 40-70 m0 b0', 's1#3 60-90 m0 b0', 's1#4 80-110 m0 b0'],
  },
  {
    name: 'hop equal to length: tumbling windows',
    options: { hop: 4 },
    readings: range(0, 110).map((t) => r(t)),
    flush: true,
    windows: ['s1#0 0-30 m0 b0', 's1#1 40-70 m0 b0', 's1#2 80-110 m0 b0'],
  },
  {
    name: 'sensors are windowed independently; seq = round(start / samplePeriodMs) / hop',
    readings: range(0, 50).flatMap((t) => [r(t, t, 'x'), r(t + 5, t, 'y')]),
    flush: true,
    windows: ['x#0 0-30 m0 b0', 'x#1 20-50 m0 b0', 'y#1 15-45 m0 b0'],
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

/** A stream with 3 interleaved sensors, reordering within the lateness, filled gaps and a reset. */
function messyStream(): SensorReading[] {
  const out: SensorReading[] = [];
  for (let t = 0; t <= 600; t += 10) {
    for (const id of ['a', 'b', 'c']) {
      if (id === 'b' && t >= 200 && t < 230) continue; // a filled gap (3 samples > maxGapSamples 2: a reset)
      if (id === 'c' && t === 300) continue; // a filled gap of one sample
      out.push(r(t + (id === 'c' ? 3 : 0), t, id));
    }
  }
  // swap neighbours now and then: out of order within the lateness
  for (let i = 5; i + 3 < out.length; i += 7) [out[i], out[i + 3]] = [out[i + 3] as SensorReading, out[i] as SensorReading];
  return out;
}

const key = (w: SignalWindow): string => `${w.sensorId}#${w.seq}`;

describe('windower: identity from event time and the input still needed', () => {
  const options = { ...base, length: 6, hop: 3 };
  const readings = messyStream();
  const control = new Map<string, SignalWindow>();
  {
    const w = createWindower(options);
    const out: SignalWindow[] = [];
    readings.forEach((reading, i) => w.push(reading, out, i));
    w.flush(out);
    for (const win of out) control.set(key(win), win);
    assert.ok(control.size > 40, String(control.size));
  }

  it('seqs grow strictly per sensor', () => {
    const last = new Map<string, number>();
    for (const win of control.values()) {
      assert.ok(win.seq > (last.get(win.sensorId) ?? -Infinity), key(win));
      last.set(win.sensorId, win.seq);
    }
  });

  // A window cut before the crash may be cut again by the replay, with other
  // content when one of its readings lies before the replay's start; the
  // scorer decides the first cut of each identity and skips the later ones
  // (seq <= lastSeq, scorer/decide.ts), so what counts is the first cut.
  it('a crash at any point, replayed from oldestNeeded(), cuts the windows of an uninterrupted run: same identities, first cuts equal', () => {
    for (let crashAt = 1; crashAt < readings.length; crashAt += 1) {
      const first = createWindower(options);
      const published: SignalWindow[] = [];
      for (let i = 0; i < crashAt; i++) first.push(readings[i] as SensorReading, published, i);
      const needed = first.oldestNeeded();
      assert.ok(needed <= crashAt, `at ${crashAt}: needed ${needed} is past what was read`);
      const from = Number.isFinite(needed) ? needed : crashAt;
      const second = createWindower(options);
      for (let i = from; i < readings.length; i++) second.push(readings[i] as SensorReading, published, i);
      second.flush(published);
      const seen = new Map<string, SignalWindow>();
      for (const win of published) {
        if (!seen.has(key(win))) seen.set(key(win), win);
      }
      assert.deepEqual([...seen.keys()].sort(), [...control.keys()].sort(), `crash at ${crashAt}`);
      for (const [k, win] of seen) assert.deepEqual(win, control.get(k), `crash at ${crashAt}: ${k}`);
    }
  });

  it('oldestNeeded covers the reorder buffer and the unfinished window, and moves on as windows are cut', () => {
    const w = createWindower(base); // length 4, hop 2, lateness 20
    const out: SignalWindow[] = [];
    for (const [i, t] of [0, 10, 20, 30, 40].entries()) w.push(r(t), out, 100 + i);
    // released 0..20 (watermark 20), buffered 30, 40; next window starts at slot 0: all needed
    assert.equal(w.oldestNeeded(), 100);
    for (const [i, t] of [50, 60].entries()) w.push(r(t), out, 105 + i);
    // window 0-30 cut; the next starts at 20 (position 102)
    assert.deepEqual(out.map(summary), ['s1#0 0-30 m0 b0']);
    assert.equal(w.oldestNeeded(), 102);
    assert.equal(createWindower(base).oldestNeeded(), Infinity);
  });

  it('oldestNeeded is the smallest position buffered, whatever order positions and event times arrive in', () => {
    const w = createWindower({ ...base, allowedLatenessMs: 1000 }); // nothing released: only the reorder buffer holds
    const out: SignalWindow[] = [];
    w.push(r(0), out, 5);
    assert.equal(w.oldestNeeded(), 5);
    w.push(r(10), out, 7); // in order
    assert.equal(w.oldestNeeded(), 5);
    w.push(r(20), out, 3); // later in event time, earlier position
    assert.equal(w.oldestNeeded(), 3);
    const v = createWindower({ ...base, allowedLatenessMs: 1000 });
    v.push(r(30), out, 10);
    v.push(r(40), out, 11);
    v.push(r(35), out, 12); // out of event-time order, inserted in the middle
    assert.equal(v.oldestNeeded(), 10);
    v.push(r(25), out, 2); // before the head
    assert.equal(v.oldestNeeded(), 2);
    // released samples no longer count; a buffer emptied by release starts over in order
    const u = createWindower(base); // lateness 20
    for (const [t, pos] of [[0, 9], [10, 1], [20, 8], [30, 2], [40, 3], [50, 4], [60, 5], [70, 6], [80, 7]] as const) u.push(r(t), out, pos);
    assert.equal(u.buffered(), 2);
    // buffered: 70 (6), 80 (7); cut: 0-30 and 20-50, so the next window starts at slot 4 (40, position 3)
    assert.equal(u.oldestNeeded(), 3);
    assert.equal(out.length, 2);
  });

  it('closeIdle releases a silent sensor and stops it holding back the input', () => {
    const w = createWindower(base);
    const out: SignalWindow[] = [];
    for (const [i, t] of [0, 10, 20, 30].entries()) w.push(r(t, t, 'quiet'), out, i);
    for (const [i, t] of [0, 10, 20, 30, 40, 50, 60, 70, 80].entries()) w.push(r(t, t, 'busy'), out, 10 + i);
    assert.equal(w.oldestNeeded(), 0);
    assert.equal(w.closeIdle(80, 100, out), 0, 'not silent long enough');
    assert.equal(w.closeIdle(150, 100, out), 1);
    assert.ok(out.some((win) => win.sensorId === 'quiet'), 'its buffered samples completed its window');
    assert.ok(w.oldestNeeded() >= 10);
    assert.equal(w.sensorCount(), 1);
  });

  it('reports each reset with the sensor, the gap and the windowing it was measured against (its sensor type\'s)', () => {
    const w = createWindower({ ...base, gapPolicy: 'reset', sensorType: 'pump' });
    const out: SignalWindow[] = [];
    for (const t of [0, 10, 1010, 1020, 1030, 1040, 1050]) w.push(r(t), out);
    assert.deepEqual(w.takeResets(), [{ sensorId: 's1', at: 1010, gapMs: 1000, dropped: 2, samplePeriodMs: 10, maxGapSamples: 2, sensorType: 'pump' }]);
    assert.deepEqual(w.takeResets(), []);
  });
});

describe('windower: each sensor on its own grid phase', () => {
  const spread: WindowOptions = { ...base, length: 8, hop: 4 };
  delete (spread as { phaseOf?: unknown }).phaseOf;

  it('sensorPhase is a pure function of the id, in [0, hop)', () => {
    for (const id of ['s1', 'pump-7', 'sensor-005', '']) {
      const p = sensorPhase(id, 16);
      assert.ok(Number.isInteger(p) && p >= 0 && p < 16, `${id}: ${p}`);
      assert.equal(sensorPhase(id, 16), p);
      assert.equal(sensorPhase(id, 1), 0);
    }
  });

  it('a fleet sharing one sample period completes its windows spread over the hop, not in one tick', () => {
    const hop = 16;
    const ids = Array.from({ length: 64 }, (_, i) => `sensor-${String(i).padStart(3, '0')}`);
    const perSlot = new Array<number>(hop).fill(0);
    for (const id of ids) perSlot[sensorPhase(id, hop)]! += 1;
    // an even share is 4 per slot; one burst would be 64 in one slot
    assert.ok(Math.max(...perSlot) <= 12, `windows per slot of the hop: ${perSlot.join(', ')}`);
    assert.ok(perSlot.filter((n) => n > 0).length >= 10, `slots used: ${perSlot.join(', ')}`);
  });

  it("every window of a sensor starts at its phase, and its seq grows strictly with start", () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      const out = windowsFromReadings(range(0, 400).map((t) => r(t, t, id)), spread).windows;
      const phase = sensorPhase(id, spread.hop);
      assert.ok(out.length >= 8, `${id}: ${out.length} windows`);
      for (const w of out) assert.equal(((w.start / 10) % spread.hop + spread.hop) % spread.hop, phase, `${id}: window at ${w.start}`);
      for (let i = 1; i < out.length; i++) assert.equal(out[i]!.seq, out[i - 1]!.seq + 1);
    }
  });

  it('a restart that sees the readings from later on cuts the same windows with the same seqs', () => {
    const all = windowsFromReadings(range(0, 400).map((t) => r(t, t, 'pump-7')), spread).windows.map(summary);
    const later = windowsFromReadings(range(130, 400).map((t) => r(t, t, 'pump-7')), spread).windows.map(summary);
    assert.ok(later.length > 0);
    assert.deepEqual(later, all.slice(all.length - later.length));
  });

  it('after an upgrade from the aligned grid, seqs go on growing (no window is taken for one decided before)', () => {
    const id = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].find((x) => sensorPhase(x, spread.hop) !== 0) as string;
    const before = windowsFromReadings(range(0, 200).map((t) => r(t, t, id)), { ...spread, phaseOf: () => 0 }).windows;
    const after = windowsFromReadings(range(130, 400).map((t) => r(t, t, id)), spread).windows;
    const last = before.at(-1) as SignalWindow;
    const next = after.find((w) => w.start > last.start) as SignalWindow;
    assert.ok(next.seq > last.seq, `seq ${next.seq} after ${last.seq}`);
  });
});
