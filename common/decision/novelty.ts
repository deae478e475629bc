// A new extreme: a reading beyond every value its sensor has shown. Pure.
//
// Per sensor and channel the scorer keeps the range of the values seen: seeded
// from the model's training windows (Calibration.ranges) and widened by every
// window judged since. A window whose new samples leave that range by more
// than `tolerance` × its width is novel, and scores 1 whatever its
// reconstruction error (the model can reconstruct a value it has never seen
// surprisingly well, and a human reading a chart flags "higher than ever"
// first). The range then takes the new value in, so one excursion is novel
// once, and a sensor whose range really grew stops being novel at that level.
// The same rule (tolerance 0.05, the range from the first value on) is part of
// Numenta's HTM detector on NAB ("spatial anomaly").
//
// Faulty windows are judged but do not widen the range (a broken sensor's
// readings say nothing of the process). A sensor the model never saw starts
// from the union of its training sensors' ranges. A model that carries no range
// (trained before this rule) judges nothing until the next one: starting from
// an empty range would make every early window novel.

/** Per channel (the model's channel order): lowest and highest value. */
export interface ValueRange {
  low: number[];
  high: number[];
}

/** The samples new in a window (its newest `hop` samples), per model channel: lowest and highest, and the channel names. */
export interface WindowExtremes extends ValueRange {
  channels: string[];
}

/** The range kept in the sensor's state, and the model (`key@version`) whose training range was last merged in. */
export interface RangeState extends ValueRange {
  model: string;
}

export interface NoveltyVerdict {
  channel: string;
  value: number;
  /** The range the value left (before it was widened). */
  low: number;
  high: number;
}

export interface NoveltySettings {
  enabled: boolean;
  tolerance: number;
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

export interface NoveltyInput {
  /** modelTag of the model that scored the window, and its training range for this sensor (undefined: none); called only when the model changes. */
  model: string;
  seed: () => ValueRange | undefined;
  extremes: WindowExtremes | undefined;
  /** False for a faulty window: judged, but the range is not widened. */
  usable: boolean;
}

/** Judges one window against the sensor's range and returns the range after it. */
export function noveltyStep(previous: RangeState | undefined, input: NoveltyInput, s: NoveltySettings): { verdict: NoveltyVerdict | null; range: RangeState | undefined } {
  if (!s.enabled) return { verdict: null, range: previous };
  let range = previous;
  // A new model's training range is merged in (ranges only grow); without any, nothing is judged.
  const seed = range === undefined || range.model !== input.model ? input.seed() : undefined;
  if (seed !== undefined) range = { model: input.model, ...(range === undefined ? widen(seed, seed) : widen(range, seed)) };
  const x = input.extremes;
  if (range === undefined || x === undefined) return { verdict: null, range };
  let verdict: NoveltyVerdict | null = null;
  let worst = 0;
  x.channels.forEach((channel, c) => {
    const low = range.low[c] as number;
    const high = range.high[c] as number;
    const width = high - low;
    if (!(width > 0)) return;
    const margin = s.tolerance * width;
    const over = Math.max((x.high[c] as number) - (high + margin), low - margin - (x.low[c] as number)) / width;
    if (over > 0 && over > worst) {
      worst = over;
      verdict = { channel, value: (x.high[c] as number) > high + margin ? (x.high[c] as number) : (x.low[c] as number), low, high };
    }
  });
  if (!input.usable) return { verdict, range };
  return { verdict, range: { model: range.model, ...widen(range, x) } };
}

/** The reason an alert opened on a new extreme gives. */
export function noveltyReason(v: NoveltyVerdict): string {
  const g = (n: number): string => Number(n.toPrecision(4)).toString();
  return `new extreme: ${v.channel} = ${g(v.value)}, beyond every value seen (${g(v.low)} to ${g(v.high)})`;
}

/** The training range a sensor starts from: its own, else (a sensor the model never saw) the union of every sensor's; undefined without ranges. */
export function seedFor(ranges: Record<string, ValueRange> | undefined, sensorId: string): ValueRange | undefined {
  if (ranges === undefined) return undefined;
  const own = ranges[sensorId];
  if (own !== undefined) return own;
  const all = Object.values(ranges);
  return all.length === 0 ? undefined : all.reduce((a, b) => widen(a, b));
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
