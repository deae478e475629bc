import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, type Rng } from '../../../common/rng.ts';

const draw = (rng: Rng, n: number): number[][] => Array.from({ length: n }, () => [rng.next(), rng.normal(), rng.int(7)]);

describe('createRng', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    assert.deepEqual(draw(createRng(42), 200), draw(createRng(42), 200));
    assert.notDeepEqual(draw(createRng(42), 20), draw(createRng(43), 20));
    // The seed is taken as an unsigned 32-bit integer.
    assert.deepEqual(draw(createRng(-1), 20), draw(createRng(2 ** 32 - 1), 20));
  });

  it('next() is uniform in [0, 1)', () => {
    const rng = createRng(7);
    const xs = Array.from({ length: 100_000 }, () => rng.next());
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const bins = new Array<number>(10).fill(0);
    for (const x of xs) bins[Math.floor(x * 10)]! += 1;
    for (const b of bins) assert.ok(Math.abs(b - 10_000) < 400, `bin count ${b}`);
  });

  it('int(n) is an integer in [0, n) and reaches every value', () => {
    const rng = createRng(9);
    const xs = Array.from({ length: 5000 }, () => rng.int(13));
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 13));
    assert.equal(new Set(xs).size, 13);
  });

  it('normal() is standard normal: mean 0, variance 1, 95 % within ±1.96, all finite', () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 100_000 }, () => rng.normal());
    assert.ok(xs.every((x) => Number.isFinite(x)));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
    const inside = xs.filter((x) => Math.abs(x) < 1.96).length / xs.length;
    assert.ok(Math.abs(inside - 0.95) < 0.005, `share within ±1.96: ${inside}`);
  });

  it('normal() draws come in pairs that are not correlated', () => {
    const rng = createRng(13);
    const pairs = Array.from({ length: 20_000 }, () => [rng.normal(), rng.normal()] as const);
    const r = pairs.reduce((a, [x, y]) => a + x * y, 0) / pairs.length;
    assert.ok(Math.abs(r) < 0.03, `correlation ${r}`);
  });
});
