import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epochRates, stepFor } from '../../../../bench/parts/training.ts';

describe('epochRates', () => {
  const cases: { name: string; n: number; elapsed: number[]; want: number[] }[] = [
    { name: 'drops the first epoch', n: 1000, elapsed: [5, 6, 8], want: [1000, 500] },
    { name: 'one epoch gives nothing', n: 1000, elapsed: [3], want: [] },
    { name: 'skips a zero-length epoch', n: 100, elapsed: [1, 1, 2], want: [100] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(epochRates(c.n, c.elapsed), c.want));
});

describe('stepFor', () => {
  it('the WebAssembly step is dense-only: conv runs the fast step under it', () => {
    assert.equal(stepFor('wasm', 'dense'), 'wasm');
    assert.equal(stepFor('wasm', 'conv'), 'fast');
    assert.equal(stepFor('fast', 'conv'), 'fast');
    assert.equal(stepFor('layers', 'dense'), 'layers');
  });
});
