import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitGpd, potThreshold } from '../../../../common/calibration/pot.ts';
import { createRng } from '../../../../common/rng.ts';

/** n draws from the generalised Pareto distribution (γ = 0: exponential) by its inverse CDF. */
function gpdSample(n: number, gamma: number, sigma: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const u = rng.next();
    return gamma === 0 ? -sigma * Math.log1p(-u) : (sigma / gamma) * ((1 - u) ** -gamma - 1);
  });
}

const near = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} ± ${tolerance}`);

describe('fitGpd', () => {
  it('an exponential tail: shape near 0, scale its mean', () => {
    const fit = fitGpd(gpdSample(20_000, 0, 2, 1));
    near(fit.gamma, 0, 0.03, 'gamma');
    near(fit.sigma, 2, 0.08, 'sigma');
  });
  it('a heavy tail (γ = 0.3) and a bounded one (γ = −0.2)', () => {
    const heavy = fitGpd(gpdSample(20_000, 0.3, 1, 2));
    near(heavy.gamma, 0.3, 0.04, 'heavy gamma');
    near(heavy.sigma, 1, 0.05, 'heavy sigma');
    const bounded = fitGpd(gpdSample(20_000, -0.2, 1, 3));
    near(bounded.gamma, -0.2, 0.04, 'bounded gamma');
    near(bounded.sigma, 1, 0.05, 'bounded sigma');
  });
});

describe('potThreshold', () => {
  it('on an exponential sample: the level exceeded with probability risk (−ln risk)', () => {
    // Exp(1) is memoryless: the excesses over any t are Exp(1) again, and P(X > z) = risk at z = −ln(risk).
    const data = gpdSample(100_000, 0, 1, 4);
    const r = potThreshold(data, 0.98, 1e-3);
    near(r.initialThreshold, Math.log(50), 0.05, 'initial threshold (the 0.98 quantile)');
    assert.equal(r.peaks, data.filter((x) => x > r.initialThreshold).length);
    near(r.peaks, 2000, 1, 'peaks');
    near(r.threshold, -Math.log(1e-3), 0.15, 'threshold');
    const exceeded = data.filter((x) => x > r.threshold).length / data.length;
    near(exceeded, 1e-3, 4e-4, 'share of the sample above the threshold');
  });
  it('a smaller risk gives a higher threshold', () => {
    const data = gpdSample(20_000, 0.1, 1, 5);
    const levels = [1e-2, 1e-3, 1e-4].map((risk) => potThreshold(data, 0.95, risk).threshold);
    assert.ok(levels[0]! < levels[1]! && levels[1]! < levels[2]!, levels.join(' < '));
  });
  it('too few peaks to fit a tail: the largest value, no fit', () => {
    assert.deepEqual(potThreshold([1, 1, 1, 1, 5], 0.99, 1e-3), { threshold: 5, initialThreshold: 1 + 0.96 * 4, peaks: 1, fit: { gamma: 0, sigma: 0 } });
    assert.equal(potThreshold([], 0.99, 1e-3).threshold, 0);
  });
});
