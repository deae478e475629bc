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
import { widen, type ValueRange, type WindowExtremes } from '../calibration/ranges.ts';

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
