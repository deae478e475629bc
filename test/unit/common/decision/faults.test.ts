import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectFault, flatRunsFor, longestFlatRun } from '../../../../common/decision/faults.ts';
import { flatRunsOf } from '../../../../common/calibration/ranges.ts';
import type { FaultConfig } from '../../../../common/config/types.ts';

const rules: FaultConfig = { flatlineSamples: 8, flatlineEpsilon: 1e-6, maxMissingFraction: 0.25, ranges: { temp: [-40, 125] } };
const channels = ['temp', 'vib'];

/** A 16-sample window of two lively channels; `edit` changes samples[t][c]. */
function window(edit: (t: number, c: number, v: number) => number = (_t, _c, v) => v, extra: { missing?: number; badQuality?: number } = {}) {
  const samples: number[] = [];
  for (let t = 0; t < 16; t++) for (let c = 0; c < 2; c++) samples.push(edit(t, c, 20 + Math.sin(t + c) * 5));
  return { channels, samples, missing: extra.missing ?? 0, badQuality: extra.badQuality ?? 0 };
}

describe('detectFault', () => {
  const cases: { name: string; w: ReturnType<typeof window>; want: string | null; channels?: string[] }[] = [
    { name: 'healthy window', w: window(), want: null },
    { name: 'gap-filled samples up to the limit are fine', w: window(undefined, { missing: 4 }), want: null },
    { name: 'too many gap-filled samples', w: window(undefined, { missing: 5 }), want: 'missing' },
    { name: 'a burst of non-finite values counts as missing', w: window((t, c, v) => (t < 5 && c === 1 ? Number.NaN : v)), want: 'missing' },
    { name: 'non-finite and gap-filled add up', w: window((t, c, v) => (t < 3 && c === 0 ? Number.POSITIVE_INFINITY : v), { missing: 2 }), want: 'missing' },
    { name: 'too many bad-quality samples', w: window(undefined, { badQuality: 8 }), want: 'bad_quality' },
    { name: 'value above the physical range', w: window((t, c, v) => (t === 9 && c === 0 ? 126 : v)), want: 'out_of_range', channels: ['temp'] },
    { name: 'value below the physical range', w: window((t, c, v) => (t === 0 && c === 0 ? -41 : v)), want: 'out_of_range', channels: ['temp'] },
    { name: 'channel without a range is never out of range', w: window((_t, c, v) => (c === 1 ? 1e9 + _t : v)), want: null },
    { name: 'stuck channel for flatlineSamples', w: window((t, c, v) => (c === 1 && t >= 8 ? 3 : v)), want: 'flatline', channels: ['vib'] },
    { name: 'stuck one sample short is fine', w: window((t, c, v) => (c === 1 && t >= 9 ? 3 : v)), want: null },
    { name: 'both stuck', w: window(() => 7), want: 'flatline', channels: ['temp', 'vib'] },
    { name: 'missing takes precedence over flatline', w: window(() => 7, { missing: 6 }), want: 'missing' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = detectFault(c.w, rules);
      assert.equal(verdict?.fault ?? null, c.want, verdict?.detail);
      if (c.channels) assert.deepEqual(verdict?.channels, c.channels);
    });
  }

  it('names every rule that fired in the detail', () => {
    const verdict = detectFault(window(() => 7, { missing: 6 }), rules);
    assert.match(verdict?.detail ?? '', /missing: 6 gap-filled .*; flatline: temp, vib/);
  });

  it('flatline is off when the window is shorter than flatlineSamples', () => {
    assert.equal(detectFault(window(() => 7), { ...rules, flatlineSamples: 17 }), null);
  });

  it('an empty window is missing', () => {
    assert.equal(detectFault({ channels, samples: [], missing: 0, badQuality: 0 }, rules)?.fault, 'missing');
  });
});

describe('longestFlatRun', () => {
  const cases: [number[], number, number][] = [
    [[], 0, 0],
    [[1, 2, 3], 0, 1],
    [[1, 1, 1, 2, 2], 0, 3],
    [[1, 1.05, 0.96, 1.2], 0.1, 3],
    [[1, 1, Number.NaN, 1, 1, 1], 0, 3],
    [[5, 5, 5, 5], 0, 4],
  ];
  for (const [values, eps, want] of cases) it(`${JSON.stringify(values)} eps=${eps} -> ${want}`, () => assert.equal(longestFlatRun(values, eps), want));
});

describe('flatline against the training flat runs', () => {
  // vib stuck for its last 10 samples of 16.
  const stuck10 = window((t, c, v) => (c === 1 && t >= 6 ? 3 : v));
  const known = (vib: number) => ({ channels: ['vib', 'temp'], runs: [vib, 1] });

  it('a channel that sat still as long in training is not stuck', () => {
    assert.equal(detectFault(stuck10, rules, known(10)), null);
    assert.equal(detectFault(stuck10, rules, known(12)), null);
  });

  it('a channel that sits still longer than it ever did in training is stuck, and the detail says so', () => {
    const verdict = detectFault(stuck10, rules, known(9));
    assert.equal(verdict?.fault, 'flatline');
    assert.deepEqual(verdict?.channels, ['vib']);
    assert.match(verdict?.detail ?? '', /vib stuck for >= 10 samples \(longer than in training\)/);
  });

  it('flatlineSamples stays the floor when training runs are short', () => {
    assert.equal(detectFault(stuck10, rules, known(2))?.fault, 'flatline');
    assert.equal(detectFault(window((t, c, v) => (c === 1 && t >= 9 ? 3 : v)), rules, known(2)), null);
  });

  it('a channel the training runs do not name is judged by flatlineSamples alone', () => {
    assert.equal(detectFault(stuck10, rules, { channels: ['temp'], runs: [50] })?.fault, 'flatline');
  });

  it('flatRunsOf: each channel\'s longest run inside one window, per sensor, in the model\'s channel order', () => {
    const w = (sensorId: string, rows: number[][]) => ({ sensorId, channels: ['a', 'b'], samples: rows.flat() });
    const runs = flatRunsOf(
      [
        w('s1', [[1, 5], [1, 6], [1, 7], [2, 8]]),
        w('s1', [[3, 0], [4, 0], [5, 0], [6, 1]]),
        w('s2', [[0, 0], [0, 0], [0, 0], [0, 0]]),
      ],
      ['b', 'a', 'missing'],
      1e-9,
    );
    assert.deepEqual(runs, { s1: [3, 3, 0], s2: [4, 4, 0] });
  });

  it('flatRunsFor: the sensor\'s own runs, else the longest of every sensor\'s, else none', () => {
    const runs = { s1: [3, 1], s2: [2, 4] };
    assert.deepEqual(flatRunsFor(runs, 's1', ['a', 'b'])?.runs, [3, 1]);
    assert.deepEqual(flatRunsFor(runs, 'new', ['a', 'b'])?.runs, [3, 4]);
    assert.equal(flatRunsFor(undefined, 's1', ['a', 'b']), undefined);
    assert.equal(flatRunsFor({}, 's1', ['a', 'b']), undefined);
  });
});
