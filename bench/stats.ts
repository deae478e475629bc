// Pure statistics for benchmark samples: no clock, no I/O.

/** The q-quantile (0..1) of `values` by linear interpolation; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The median of the measured values (nulls and non-finite left out); null when none was measured. */
export function medianOf(values: readonly (number | null)[]): number | null {
  const measured = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return measured.length === 0 ? null : median(measured);
}

/** ours ÷ reference, or null when either side is missing or the reference is not positive. */
export function ratio(ours: number | null, reference: number | null): number | null {
  if (ours === null || reference === null) return null;
  if (!Number.isFinite(ours) || !Number.isFinite(reference) || reference <= 0) return null;
  return ours / reference;
}

/**
 * How bunched the windows' completions are over the hop: the windows whose
 * end falls in the busiest sample slot of the hop (round(end / periodMs) mod
 * hop) ÷ the even share (count / hop). 1: spread evenly over the hop's ticks;
 * hop: all of a hop's windows complete in one tick and arrive as one burst.
 * null when there is no window.
 */
export function windowBunching(ends: readonly number[], periodMs: number, hop: number): number | null {
  if (!(periodMs > 0) || !Number.isInteger(hop) || hop < 1) throw new RangeError(`windowBunching needs periodMs > 0 and an integer hop >= 1, got ${periodMs} and ${hop}`);
  if (ends.length === 0) return null;
  const perSlot = new Array<number>(hop).fill(0);
  for (const end of ends) {
    const slot = ((Math.round(end / periodMs) % hop) + hop) % hop;
    perSlot[slot] = (perSlot[slot] ?? 0) + 1;
  }
  return Math.max(...perSlot) / (ends.length / hop);
}

/** Rounds to `digits` significant digits (for tables and JSON), keeping null. */
export function round(value: number | null, digits = 4): number | null {
  if (value === null || !Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export function summariseLatencies(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };
  return {
    count: samplesMs.length,
    p50Ms: quantile(samplesMs, 0.5),
    p95Ms: quantile(samplesMs, 0.95),
    p99Ms: quantile(samplesMs, 0.99),
    maxMs: quantile(samplesMs, 1),
  };
}

/**
 * Least-squares slope of y against x: used to tell a flat tensor count or RSS
 * from one that grows with the number of scoring calls.
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new RangeError(`slope needs equal lengths, got ${xs.length} and ${ys.length}`);
  const n = xs.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}
