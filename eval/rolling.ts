// A causal, per-file standardisation of the reconstruction error, reported as
// a diagnostic NAB variant (metrics.json nab.rollingZ): how far the recent
// errors sit above the file's own recent history, in standard deviations of
// log error. It is NOT what the streaming scorer decides on (error / threshold);
// it measures how much of NAB's single corpus-wide threshold is lost to errors
// that are not comparable across files (drift, level shifts, tiny thresholds).
// Pure.

export interface RollingOptions {
  /** Past scored rows the mean and spread come from. */
  history: number;
  /** Recent rows averaged into the current value. */
  short: number;
  /** Rows before the first value (0.5 until then). */
  warmup: number;
}

export const defaultRolling: RollingOptions = { history: 1000, short: 5, warmup: 100 };

/** Per row: 0.5 + 0.5·z/(1+|z|) of z = (mean of the last `short` log errors − history mean) / history std. */
export function rollingScore(errors: ArrayLike<number>, o: RollingOptions = defaultRolling): Float64Array {
  const out = new Float64Array(errors.length).fill(0.5);
  const ring = new Float64Array(o.history);
  let count = 0;
  let head = 0;
  let sum = 0;
  let sumSq = 0;
  const recent: number[] = [];
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i] as number;
    if (!Number.isFinite(e)) continue;
    const x = Math.log(Math.max(e, 1e-12));
    recent.push(x);
    if (recent.length > o.short) recent.shift();
    if (count >= o.warmup) {
      const mean = sum / count;
      const std = Math.sqrt(Math.max(sumSq / count - mean * mean, 0));
      const shortMean = recent.reduce((a, b) => a + b, 0) / recent.length;
      const z = (shortMean - mean) / Math.max(std, 1e-6);
      out[i] = 0.5 + (0.5 * z) / (1 + Math.abs(z));
    }
    if (count === o.history) {
      const old = ring[head] as number;
      sum -= old;
      sumSq -= old * old;
    } else count++;
    ring[head] = x;
    head = (head + 1) % o.history;
    sum += x;
    sumSq += x * x;
  }
  return out;
}
