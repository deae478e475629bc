// The quantile every calibration step reads its levels with: pure.
/** Linear-interpolation quantile (type 7) of ascending-sorted data. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.min(n - 1, lo + 1)] ?? a;
  return a + (h - lo) * (b - a);
}
