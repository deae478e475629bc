import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median, quantile, ratio, round, slope, summariseLatencies, medianOf, windowBunching } from '../../../bench/stats.ts';

describe('quantile', () => {
  const cases: { values: number[]; q: number; want: number }[] = [
    { values: [3, 1, 2], q: 0.5, want: 2 },
    { values: [1, 2, 3, 4], q: 0.5, want: 2.5 },
    { values: [10, 20], q: 0, want: 10 },
    { values: [10, 20], q: 1, want: 20 },
    { values: [0, 100], q: 0.99, want: 99 },
    { values: [5], q: 0.95, want: 5 },
  ];
  for (const c of cases) {
    it(`q=${c.q} of [${c.values.join(',')}] is ${c.want}`, () => assert.equal(quantile(c.values, c.q), c.want));
  }
  it('is NaN for no values', () => assert.ok(Number.isNaN(median([]))));
  it('rejects q outside [0, 1]', () => assert.throws(() => quantile([1], 1.5), /q must be in \[0, 1\]/));
  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    quantile(v, 0.5);
    assert.deepEqual(v, [3, 1, 2]);
  });
});

describe('medianOf', () => {
  it('is the median of what was measured, leaving out nulls and non-finite values', () => {
    assert.equal(medianOf([3, null, 1, Number.NaN, 2]), 2);
    assert.equal(medianOf([4, 1]), 2.5);
  });
  it('is null when nothing was measured', () => {
    assert.equal(medianOf([]), null);
    assert.equal(medianOf([null, null]), null);
  });
});

describe('ratio', () => {
  const cases: { ours: number | null; ref: number | null; want: number | null }[] = [
    { ours: 50, ref: 100, want: 0.5 },
    { ours: 100, ref: 50, want: 2 },
    { ours: null, ref: 100, want: null },
    { ours: 100, ref: null, want: null },
    { ours: 100, ref: 0, want: null },
    { ours: Number.NaN, ref: 1, want: null },
  ];
  for (const c of cases) it(`${c.ours} ÷ ${c.ref} = ${c.want}`, () => assert.equal(ratio(c.ours, c.ref), c.want));
});

describe('round', () => {
  const cases: { v: number | null; d: number; want: number | null }[] = [
    { v: 1234.5678, d: 4, want: 1235 },
    { v: 0.000123456, d: 2, want: 0.00012 },
    { v: null, d: 3, want: null },
    { v: 0, d: 3, want: 0 },
  ];
  for (const c of cases) it(`${c.v} to ${c.d} digits`, () => assert.equal(round(c.v, c.d), c.want));
});

describe('summariseLatencies', () => {
  it('gives nulls for no samples', () => {
    assert.deepEqual(summariseLatencies([]), { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null });
  });
  it('gives percentiles of 1..100', () => {
    const s = summariseLatencies(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(s.count, 100);
    assert.equal(s.p50Ms, 50.5);
    assert.ok(Math.abs((s.p95Ms ?? 0) - 95.05) < 1e-9);
    assert.ok(Math.abs((s.p99Ms ?? 0) - 99.01) < 1e-9);
    assert.equal(s.maxMs, 100);
  });
});

describe('slope', () => {
  const cases: { xs: number[]; ys: number[]; want: number }[] = [
    { xs: [0, 1, 2, 3], ys: [8, 8, 8, 8], want: 0 },
    { xs: [0, 1, 2, 3], ys: [8, 10, 12, 14], want: 2 },
    { xs: [0, 10, 20], ys: [5, 4, 3], want: -0.1 },
    { xs: [1], ys: [3], want: 0 },
  ];
  for (const c of cases) it(`of [${c.ys.join(',')}] is ${c.want}`, () => assert.ok(Math.abs(slope(c.xs, c.ys) - c.want) < 1e-12));
  it('rejects unequal lengths', () => assert.throws(() => slope([1, 2], [1]), /equal lengths/));
});

describe('windowBunching', () => {
  const period = 20;
  const hop = 4;
  it('is 1 when windows end evenly over the hop, hop when all end in one slot', () => {
    const even = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => 1_000_000 + k * period);
    assert.equal(windowBunching(even, period, hop), 1);
    const bunched = [0, 4, 8, 12].map((k) => 1_000_000 + k * period);
    assert.equal(windowBunching(bunched, period, hop), hop);
  });
  it('rounds ends to the nearest slot (timer jitter) and says null for no window', () => {
    assert.equal(windowBunching([0, 21, 39, 61], period, hop), 1);
    assert.equal(windowBunching([0, 9, 79], period, hop), 3 / (3 / hop));
    assert.equal(windowBunching([], period, hop), null);
  });
  it('rejects a period or hop that cannot be', () => {
    assert.throws(() => windowBunching([0], 0, hop), /periodMs > 0/);
    assert.throws(() => windowBunching([0], period, 1.5), /integer hop/);
  });
});
