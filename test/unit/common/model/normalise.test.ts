import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantileSorted } from '../../../../common/calibration/quantile.ts';
import { centreOf, denormalise, fitNormalisation, normaliseWindow } from '../../../../common/model/normalise.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { syntheticWindows } from './synthetic.ts';

function win(samples: number[], channels = ['a', 'b']): SignalWindow {
  return { sensorId: 's', seq: 0, start: 0, end: 1, channels, samples, missing: 0, badQuality: 0 };
}

describe('normalisation', () => {
  it('round-trips: denormalise(normalise(x)) = x for both kinds', () => {
    const windows = syntheticWindows({ sensors: 2, windowsPerSensor: 20 });
    for (const kind of ['zscore', 'robust'] as const) {
      const stats = fitNormalisation(windows, kind);
      for (const w of windows.slice(0, 5)) {
        const back = denormalise(normaliseWindow(w, stats), stats);
        back.forEach((v, i) => assert.ok(Math.abs(v - (w.samples[i] ?? 0)) < 1e-4, `${kind} sample ${i}: ${v} vs ${w.samples[i]}`));
      }
    }
  });

  const cases = [
    { name: 'zscore: mean and population std', kind: 'zscore' as const, a: [1, 2, 3, 4], center: 2.5, scale: Math.sqrt(1.25) },
    { name: 'robust: median and IQR', kind: 'robust' as const, a: [1, 2, 3, 100], center: 2.5, scale: quantileSorted([1, 2, 3, 100], 0.75) - quantileSorted([1, 2, 3, 100], 0.25) },
    { name: 'constant channel: scale 1', kind: 'zscore' as const, a: [5, 5, 5, 5], center: 5, scale: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const w = win(c.a.flatMap((v) => [v, 0]));
      const stats = fitNormalisation([w], c.kind);
      assert.ok(Math.abs((stats.center[0] ?? 0) - c.center) < 1e-12);
      assert.ok(Math.abs((stats.scale[0] ?? 0) - c.scale) < 1e-12, `scale ${stats.scale[0]} vs ${c.scale}`);
    });
  }

  it('zscore-normalised training data has mean 0 and std 1 per channel', () => {
    const windows = syntheticWindows({ sensors: 1, windowsPerSensor: 30, channels: 3 });
    const stats = fitNormalisation(windows, 'zscore');
    const values = windows.flatMap((w) => Array.from(normaliseWindow(w, stats)));
    for (let c = 0; c < 3; c++) {
      const col = values.filter((_, i) => i % 3 === c);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      assert.ok(Math.abs(mean) < 1e-5 && Math.abs(std - 1) < 1e-4, `channel ${c}: mean ${mean} std ${std}`);
    }
  });

  it('maps a window listing channels in another order onto the model order', () => {
    const stats = fitNormalisation([win([1, 10, 3, 30])], 'zscore');
    const swapped = win([10, 1, 30, 3], ['b', 'a']);
    assert.deepEqual(Array.from(normaliseWindow(swapped, stats)), Array.from(normaliseWindow(win([1, 10, 3, 30]), stats)));
  });

  it('the in-order fast path gives exactly the per-channel formula, with non-finite values as 0, into an offset buffer', () => {
    const stats = { kind: 'zscore' as const, channels: ['a', 'b', 'c'], center: [1.5, -2, 1e6], scale: [0.3, 7, 1e-3] };
    const samples = [0.1, 5, 1e6 + 1, Number.NaN, -3, Number.POSITIVE_INFINITY, 2, Number.NEGATIVE_INFINITY, 999_999.5];
    const expected = samples.map((v, i) => (Number.isFinite(v) ? Math.fround((v - (stats.center[i % 3] as number)) / (stats.scale[i % 3] as number)) : 0));
    const out = new Float32Array(2 + samples.length).fill(-7);
    normaliseWindow(win(samples, ['a', 'b', 'c']), stats, out, 2);
    assert.deepEqual(Array.from(out.subarray(0, 2)), [-7, -7], 'nothing written before the offset');
    assert.deepEqual(Array.from(out.subarray(2)), expected);
    const reordered = win([5, 0.1, 1e6 + 1, -3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2, 999_999.5], ['b', 'a', 'c']);
    assert.deepEqual(Array.from(normaliseWindow(reordered, stats)), expected, 'the reordering path agrees');
  });

  it('refuses a window that lacks a model channel, naming it', () => {
    const stats = fitNormalisation([win([1, 10, 3, 30])], 'zscore');
    assert.throws(() => normaliseWindow(win([1, 2], ['a', 'c']), stats), (e: Error & { code?: string }) => e.code === 'window_incompatible' && /'b'/.test(e.message));
  });

  it('window: each window centred on its own means, scaled by the spread around them; a level offset changes nothing', () => {
    const a = win([1, 10, 3, 30, 2, 20]);
    const b = win([101, -90, 103, -70, 102, -80]);
    const stats = fitNormalisation([a, b], 'window');
    assert.deepEqual(stats.center, [0, 0]);
    // Deviations from the window means: channel a ±1, 0 in both windows; channel b ±10, 0.
    assert.ok(Math.abs((stats.scale[0] ?? 0) - Math.sqrt(2 / 3)) < 1e-12, `scale a ${stats.scale[0]}`);
    assert.ok(Math.abs((stats.scale[1] ?? 0) - Math.sqrt(200 / 3)) < 1e-12, `scale b ${stats.scale[1]}`);
    assert.deepEqual(Array.from(normaliseWindow(a, stats)), Array.from(normaliseWindow(b, stats)), 'the same shape at another level normalises alike');
    assert.deepEqual(centreOf(b, stats), [102, -80]);
    const back = denormalise(normaliseWindow(b, stats), stats, centreOf(b, stats));
    back.forEach((v, i) => assert.ok(Math.abs(v - (b.samples[i] ?? 0)) < 1e-4, `sample ${i}: ${v}`));
    // A shape change at the same level does not normalise alike.
    assert.notDeepEqual(Array.from(normaliseWindow(win([1, 10, 3, 30, 2, 21]), stats)), Array.from(normaliseWindow(a, stats)));
  });

  it('window: the in-order and reordering paths agree, and non-finite samples are left out of the means', () => {
    const stats = { kind: 'window' as const, channels: ['a', 'b'], center: [0, 0], scale: [2, 4] };
    const inOrder = win([1, 8, Number.NaN, 4, 3, 0]);
    const swapped = win([8, 1, 4, Number.NaN, 0, 3], ['b', 'a']);
    assert.deepEqual(centreOf(inOrder, stats), [2, 4]);
    assert.deepEqual(Array.from(normaliseWindow(inOrder, stats)), [-0.5, 1, 0, 0, 0.5, -1]);
    assert.deepEqual(Array.from(normaliseWindow(swapped, stats)), Array.from(normaliseWindow(inOrder, stats)));
  });

  it('refuses to fit on zero windows', () => {
    assert.throws(() => fitNormalisation([], 'zscore'), /zero windows/);
  });
});
