// Pure axis maths for the eval plots: time ticks at round UTC instants,
// round number ticks, and decades for a log scale.

export interface Tick {
  at: number;
  text: string;
}

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const timeSteps = [
  second, 2 * second, 5 * second, 10 * second, 15 * second, 30 * second,
  minute, 2 * minute, 5 * minute, 10 * minute, 15 * minute, 30 * minute,
  hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour,
  day, 2 * day, 7 * day, 14 * day, 30 * day, 91 * day, 182 * day, 365 * day,
];

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** UTC text for a tick: as much as the step needs, the date where the day changes. */
function timeText(t: number, step: number, previous: number | undefined): string {
  const d = new Date(t);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (step >= day) return date;
  const clock = step < minute ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}` : `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  const newDay = previous === undefined || new Date(previous).getUTCDate() !== d.getUTCDate() || previous < t - day;
  return newDay ? `${date} ${clock}` : clock;
}

/** Pure: about `target` ticks at round UTC instants within [t0, t1] (ms since the epoch). */
export function timeTicks(t0: number, t1: number, target = 8): Tick[] {
  if (!(t1 > t0)) return [{ at: t0, text: timeText(t0, second, undefined) }];
  const step = timeSteps.find((s) => (t1 - t0) / s <= target) ?? niceStep((t1 - t0) / target);
  const ticks: Tick[] = [];
  // Round instants; weeks and longer counted from the epoch, which is good enough for labels.
  let previous: number | undefined;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    ticks.push({ at: t, text: timeText(t, step, previous) });
    previous = t;
  }
  return ticks;
}

/** Pure: the 1, 2 or 5 × 10^k step nearest to `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

const numberText = (v: number, step: number): string => {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 10));
};

/** Pure: round ticks within [lo, hi]. */
export function numberTicks(lo: number, hi: number, target = 5): Tick[] {
  if (!(hi > lo)) return [{ at: lo, text: String(Number(lo.toPrecision(4))) }];
  const step = niceStep((hi - lo) / target);
  const ticks: Tick[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) ticks.push({ at: i * step, text: numberText(i * step, step) });
  return ticks;
}

/** Pure: the decades 10^lo … 10^hi (integer exponents), fewer when the range is wide. */
export function logTicks(lo: number, hi: number, target = 6): Tick[] {
  const every = Math.max(1, Math.ceil((hi - lo) / target));
  const ticks: Tick[] = [];
  for (let e = lo; e <= hi; e += every) ticks.push({ at: Number(`1e${e}`), text: e >= -3 && e <= 4 ? String(Number(`1e${e}`)) : `1e${e}` });
  return ticks;
}
