// Peaks over threshold (EVT): fit a generalised Pareto distribution to the
// excesses over an initial high quantile and read off the level exceeded with
// probability `risk` (Siffer et al., "Anomaly detection in streams with extreme
// value theory", KDD 2017 — the SPOT initialisation step).
import { quantileSorted } from './quantile.ts';

export interface GpdFit {
  /** Shape γ (xi); 0 means the exponential tail. */
  gamma: number;
  /** Scale σ > 0. */
  sigma: number;
}

export interface PotResult {
  threshold: number;
  initialThreshold: number;
  peaks: number;
  fit: GpdFit;
}

/**
 * z_q = t + σ/γ · ((q·n / N_t)^(−γ) − 1)   (γ ≠ 0)
 * z_q = t − σ · ln(q·n / N_t)              (γ = 0)
 */
export function potThreshold(data: readonly number[], initialQuantile: number, risk: number): PotResult {
  const sorted = Float64Array.from(data).sort();
  const t = quantileSorted(sorted, initialQuantile);
  const excesses: number[] = [];
  for (const x of sorted) if (x > t) excesses.push(x - t);
  const n = sorted.length;
  if (excesses.length < 2) {
    // Too few peaks to fit a tail: fall back to the largest value seen.
    const max = sorted[n - 1] ?? 0;
    return { threshold: max, initialThreshold: t, peaks: excesses.length, fit: { gamma: 0, sigma: 0 } };
  }
  const fit = fitGpd(excesses);
  const r = (risk * n) / excesses.length;
  const threshold =
    Math.abs(fit.gamma) < 1e-9 ? t - fit.sigma * Math.log(r) : t + (fit.sigma / fit.gamma) * (r ** -fit.gamma - 1);
  return { threshold, initialThreshold: t, peaks: excesses.length, fit };
}

/**
 * Maximum-likelihood GPD fit by Grimshaw's reduction: with θ = γ/σ the MLE of γ
 * is mean(ln(1 + θ·y)), leaving a one-dimensional profile likelihood in θ,
 * maximised here by a grid search refined with golden-section steps.
 */
export function fitGpd(y: readonly number[]): GpdFit {
  const n = y.length;
  let ymax = 0;
  let sum = 0;
  for (const v of y) {
    ymax = Math.max(ymax, v);
    sum += v;
  }
  const mean = sum / n;
  const exponential = { theta: 0, ll: -n * Math.log(mean) - n };
  const gammaOf = (theta: number): number => {
    let s = 0;
    for (const v of y) s += Math.log1p(theta * v);
    return s / n;
  };
  const profile = (theta: number): number => {
    const g = gammaOf(theta);
    const sigma = g / theta;
    if (!(sigma > 0) || !Number.isFinite(g)) return Number.NEGATIVE_INFINITY;
    return -n * Math.log(sigma) - (1 + 1 / g) * n * g;
  };
  // θ must keep 1 + θ·y > 0 for every excess: θ > −1/ymax. Upper end: a very heavy tail.
  const lower = -1 / ymax;
  const upper = 50 / mean;
  const candidates: number[] = [];
  const steps = 200;
  for (let i = 1; i < steps; i++) candidates.push(lower * (1 - (i / steps) ** 2) + lower * 1e-6);
  for (let i = 1; i <= steps; i++) candidates.push(upper * 10 ** (-6 + (6 * i) / steps));
  let best = exponential;
  let bestIndex = -1;
  candidates.sort((a, b) => a - b);
  candidates.forEach((theta, i) => {
    const ll = profile(theta);
    if (ll > best.ll) {
      best = { theta, ll };
      bestIndex = i;
    }
  });
  if (bestIndex >= 0) {
    const lo = candidates[Math.max(0, bestIndex - 1)] ?? best.theta;
    const hi = candidates[Math.min(candidates.length - 1, bestIndex + 1)] ?? best.theta;
    const refined = goldenMax(profile, lo, hi, 60);
    if (refined.ll > best.ll && refined.theta !== 0) best = refined;
  }
  if (best.theta === 0) return { gamma: 0, sigma: mean };
  const gamma = gammaOf(best.theta);
  return { gamma, sigma: gamma / best.theta };
}

function goldenMax(f: (x: number) => number, a: number, b: number, iterations: number): { theta: number; ll: number } {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let lo = a;
  let hi = b;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < iterations; i++) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = f(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = f(x1);
    }
  }
  return f1 > f2 ? { theta: x1, ll: f1 } : { theta: x2, ll: f2 };
}
