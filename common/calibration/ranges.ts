// The range of the values a sensor has shown, per channel: what a model stores
// of its training windows (Calibration.ranges, the seed of the new-extreme rule
// in common/decision/novelty.ts) and what a window's new samples add; and how
// long its signals sat still in them (Calibration.flatRuns, the floor of the
// flatline fault rule in common/decision/faults.ts). Pure.

/** Per channel (the model's channel order): lowest and highest value. */
export interface ValueRange {
  low: number[];
  high: number[];
}

/** The samples new in a window (its newest `hop` samples), per model channel: lowest and highest, and the channel names. */
export interface WindowExtremes extends ValueRange {
  channels: string[];
}

/**
 * Lowest and highest of each channel over the newest `newest` samples of row-major `samples`
 * (width = window channels), in `channels` order; a channel the window lacks, or whose values are
 * all non-finite, gets NaN.
 */
export function newSampleExtremes(window: { channels: readonly string[]; samples: ArrayLike<number> }, channels: readonly string[], newest: number): WindowExtremes {
  const width = window.channels.length;
  const frames = width === 0 ? 0 : Math.floor(window.samples.length / width);
  const from = Math.max(0, frames - Math.max(1, Math.round(newest)));
  const low: number[] = [];
  const high: number[] = [];
  for (const name of channels) {
    const c = window.channels.indexOf(name);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let t = from; c >= 0 && t < frames; t++) {
      const v = window.samples[t * width + c] as number;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    low.push(lo <= hi ? lo : Number.NaN);
    high.push(lo <= hi ? hi : Number.NaN);
  }
  return { channels: [...channels], low, high };
}

/** The union of two ranges, channel by channel (NaN where neither has a value). */
export function widen(a: ValueRange, b: ValueRange): ValueRange {
  const pick = (x: number | undefined, y: number | undefined, f: (p: number, q: number) => number): number =>
    Number.isFinite(x) ? (Number.isFinite(y) ? f(x as number, y as number) : (x as number)) : Number.isFinite(y) ? (y as number) : Number.NaN;
  const n = Math.max(a.low.length, b.low.length);
  return {
    low: Array.from({ length: n }, (_, c) => pick(a.low[c], b.low[c], Math.min)),
    high: Array.from({ length: n }, (_, c) => pick(a.high[c], b.high[c], Math.max)),
  };
}

/** Per sensor: the range of every sample of its windows, in `channels` order (what a model stores of its training data). */
export function rangesOf(windows: readonly { sensorId: string; channels: readonly string[]; samples: ArrayLike<number> }[], channels: readonly string[]): Record<string, ValueRange> {
  const out: Record<string, ValueRange> = {};
  for (const w of windows) {
    const x = newSampleExtremes(w, channels, Number.MAX_SAFE_INTEGER);
    const known = out[w.sensorId];
    out[w.sensorId] = known === undefined ? widen(x, x) : widen(known, x);
  }
  return out;
}

/** Longest run of finite values that all stay within epsilon of the run's first value. */
export function longestFlatRun(values: ArrayLike<number>, epsilon: number): number {
  let best = 0;
  let runStart = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t] ?? Number.NaN;
    const anchor = values[runStart] ?? Number.NaN;
    if (!Number.isFinite(v)) {
      runStart = t + 1;
      continue;
    }
    if (!Number.isFinite(anchor) || Math.abs(v - anchor) > epsilon) runStart = t;
    best = Math.max(best, t - runStart + 1);
  }
  return best;
}

/** One channel's samples of a row-major window (NaN where missing). */
export function channelValues(samples: ArrayLike<number>, width: number, length: number, channel: number): number[] {
  const out = new Array<number>(length);
  for (let t = 0; t < length; t++) out[t] = (samples[t * width + channel] as number | undefined) ?? Number.NaN;
  return out;
}

/**
 * Per sensor: each channel's longest run of unchanged values (within epsilon, scorer.faults.flatlineEpsilon)
 * inside any one of its windows, in `channels` order (0 for a channel its windows lack): how long its
 * signals sit still in normal operation. What a model stores of its training data (Calibration.flatRuns).
 */
export function flatRunsOf(windows: readonly { sensorId: string; channels: readonly string[]; samples: ArrayLike<number> }[], channels: readonly string[], epsilon: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of windows) {
    const width = w.channels.length;
    const length = width === 0 ? 0 : Math.floor(w.samples.length / width);
    const known = (out[w.sensorId] ??= channels.map(() => 0));
    channels.forEach((name, k) => {
      const c = w.channels.indexOf(name);
      if (c < 0) return;
      known[k] = Math.max(known[k] as number, longestFlatRun(channelValues(w.samples, width, length, c), epsilon));
    });
  }
  return out;
}
