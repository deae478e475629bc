import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plotHtml } from '../../../eval/plot.ts';

describe('plotHtml', () => {
  const n = 2500;
  const html = plotHtml({
    title: 'a/<b>.csv',
    timeText: Array.from({ length: n }, (_, i) => `t${i}`),
    errors: Array.from({ length: n }, (_, i) => (i === 1234 ? 50 : 0.01 + (i % 7) / 100)),
    thresholds: Array.from({ length: n }, () => 0.5),
    flags: Array.from({ length: n }, (_, i) => (i >= 1234 && i < 1240 ? 1 : 0)),
    labels: Array.from({ length: n }, (_, i) => (i >= 1200 && i < 1300 ? 1 : 0)),
  });
  it('is self-contained: one inline SVG, no scripts or external references', () => {
    assert.equal(html.match(/<svg /g)?.length, 1);
    assert.doesNotMatch(html, /<script|src=|href=/);
  });
  it('buckets long series and keeps the spike (max per bucket)', () => {
    assert.match(html, /2500 scored rows, shown as 1000 buckets/);
    const points = /<polyline points="([^"]+)" fill="none" stroke="#1f77b4"/.exec(html)?.[1]?.split(' ') ?? [];
    assert.equal(points.length, 1000);
    const ys = points.map((p) => Number(p.split(',')[1]));
    assert.equal(ys.indexOf(Math.min(...ys)), Math.floor(1234 / 2.5)); // the spike's bucket is the highest point
  });
  it('shades labelled rows, marks flagged rows and escapes the title', () => {
    assert.equal(html.match(/fill="#f4c7c3"/g)?.length, 40 + 0); // 100 labelled rows = 40 buckets of 2.5 rows
    assert.ok((html.match(/fill="#ff7f0e"/g)?.length ?? 0) >= 2);
    assert.match(html, /a\/&lt;b&gt;\.csv/);
  });
});
