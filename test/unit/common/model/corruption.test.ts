import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelRange, corrupt } from '../../../../common/model/corruption.ts';
import { createRng } from '../../../../common/rng.ts';

const n = 40_000;
const channels = 4;
const clean = Float32Array.from({ length: n }, (_, i) => Math.sin(i / 10) * (1 + (i % channels)));
const range = channelRange(clean, channels);

describe('corruption', () => {
  for (const sigma of [0.05, 0.1, 0.5]) {
    it(`gaussian: measured noise has mean 0 and σ ${sigma}`, () => {
      const noisy = corrupt(clean, { kind: 'gaussian', level: sigma }, createRng(3), range);
      const d = Array.from(noisy, (v, i) => v - (clean[i] ?? 0));
      const mean = d.reduce((a, b) => a + b, 0) / n;
      const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      assert.ok(Math.abs(mean) < 4 * (sigma / Math.sqrt(n)), `mean ${mean}`);
      assert.ok(Math.abs(std / sigma - 1) < 0.02, `std ${std} vs ${sigma}`);
    });
  }

  for (const fraction of [0.1, 0.25, 0.5]) {
    it(`masking: fraction ${fraction} of inputs set to zero, the rest untouched`, () => {
      const x = Float32Array.from(clean, (v) => v + 10); // no genuine zeros
      const masked = corrupt(x, { kind: 'masking', level: fraction }, createRng(5), channelRange(x, channels));
      let zeros = 0;
      masked.forEach((v, i) => {
        if (v === 0) zeros++;
        else assert.equal(v, x[i]);
      });
      assert.ok(Math.abs(zeros / n - fraction) < 0.01, `masked ${zeros / n}`);
    });

    it(`salt_and_pepper: fraction ${fraction} set to the channel min or max, half each`, () => {
      const hit = corrupt(clean, { kind: 'salt_and_pepper', level: fraction }, createRng(9), range);
      let salt = 0;
      let pepper = 0;
      hit.forEach((v, i) => {
        if (v === clean[i]) return;
        const c = i % channels;
        if (v === range.max[c]) salt++;
        else if (v === range.min[c]) pepper++;
        else assert.fail(`value ${v} at ${i} is neither the input, min nor max`);
      });
      // Inputs that already sit at the extreme count as untouched: a tiny undercount.
      assert.ok(Math.abs((salt + pepper) / n - fraction) < 0.01, `hit ${(salt + pepper) / n}`);
      assert.ok(Math.abs(salt / (salt + pepper) - 0.5) < 0.03, `salt share ${salt / (salt + pepper)}`);
    });
  }

  it('leaves the input untouched and is reproducible with the same seed', () => {
    const before = Float32Array.from(clean);
    const a = corrupt(clean, { kind: 'gaussian', level: 0.3 }, createRng(1), range);
    const b = corrupt(clean, { kind: 'gaussian', level: 0.3 }, createRng(1), range);
    assert.deepEqual(clean, before);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, corrupt(clean, { kind: 'gaussian', level: 0.3 }, createRng(2), range));
  });
});
