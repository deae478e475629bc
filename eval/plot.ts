// Per-file plot: a self-contained HTML page with one inline SVG: the
// reconstruction error (log scale) and the threshold over time, labelled
// anomalies shaded, flagged rows marked underneath. No scripts, no network.
// Long series are bucketed (max per bucket) so spikes stay visible.
export interface PlotInput {
  title: string;
  timeText: readonly string[];
  errors: ArrayLike<number>;
  /** Per row: the threshold in force (it changes when a retrained model takes over). */
  thresholds: ArrayLike<number>;
  flags: ArrayLike<number>;
  labels: ArrayLike<number> | null;
}

const W = 1000;
const H = 320;
const pad = { left: 60, right: 10, top: 20, bottom: 50 };
const maxBuckets = 1000;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function plotHtml(p: PlotInput): string {
  const n = p.errors.length;
  const buckets = Math.max(1, Math.min(n, maxBuckets));
  const per = n / buckets;
  const err: number[] = [];
  const thr: number[] = [];
  const flag: boolean[] = [];
  const label: boolean[] = [];
  for (let b = 0; b < buckets; b++) {
    let e = Number.NaN;
    let f = false;
    let l = false;
    let t = Number.NaN;
    for (let i = Math.floor(b * per); i < Math.min(n, Math.floor((b + 1) * per) || 1); i++) {
      const v = p.errors[i] as number;
      if (Number.isFinite(v) && !(v <= e)) e = v;
      f ||= p.flags[i] === 1;
      l ||= p.labels?.[i] === 1;
      const ti = p.thresholds[i] as number;
      if (Number.isFinite(ti)) t = ti;
    }
    err.push(e);
    thr.push(t);
    flag.push(f);
    label.push(l);
  }
  const floor = 1e-6;
  const logs = [...err.filter(Number.isFinite), ...thr.filter(Number.isFinite)].map((v) => Math.log10(Math.max(v, floor)));
  const lo = Math.floor(Math.min(...logs));
  const hi = Math.max(Math.ceil(Math.max(...logs)), lo + 1);
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  const x = (b: number): number => pad.left + ((b + 0.5) / buckets) * plotW;
  const y = (v: number): number => pad.top + plotH - ((Math.log10(Math.max(v, floor)) - lo) / (hi - lo)) * plotH;
  const bw = plotW / buckets;
  const parts: string[] = [];
  label.forEach((l, b) => {
    if (l) parts.push(`<rect x="${(x(b) - bw / 2).toFixed(1)}" y="${pad.top}" width="${(bw + 0.5).toFixed(1)}" height="${plotH}" fill="#f4c7c3"/>`);
  });
  for (let e = lo; e <= hi; e++) {
    parts.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#eee"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${y(10 ** e) + 4}" text-anchor="end" font-size="11">1e${e}</text>`);
  }
  const path = err
    .map((e, b) => (Number.isFinite(e) ? `${x(b).toFixed(1)},${y(e).toFixed(1)}` : null))
    .filter((s): s is string => s !== null)
    .join(' ');
  parts.push(`<polyline points="${path}" fill="none" stroke="#1f77b4" stroke-width="1"/>`);
  const thrPath = thr
    .map((t, b) => (Number.isFinite(t) ? `${x(b).toFixed(1)},${y(t).toFixed(1)}` : null))
    .filter((s): s is string => s !== null)
    .join(' ');
  parts.push(`<polyline points="${thrPath}" fill="none" stroke="#d62728" stroke-dasharray="6 4"/>`);
  flag.forEach((f, b) => {
    if (f) parts.push(`<rect x="${(x(b) - bw / 2).toFixed(1)}" y="${pad.top + plotH + 4}" width="${(bw + 0.5).toFixed(1)}" height="8" fill="#ff7f0e"/>`);
  });
  const first = p.timeText[0] ?? '';
  const last = p.timeText[p.timeText.length - 1] ?? '';
  parts.push(`<text x="${pad.left}" y="${H - 18}" font-size="11">${esc(first)}</text>`);
  parts.push(`<text x="${W - pad.right}" y="${H - 18}" font-size="11" text-anchor="end">${esc(last)}</text>`);
  parts.push(`<rect x="${pad.left}" y="${pad.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  const legend =
    '<span style="color:#1f77b4">— reconstruction error (log scale)</span> · <span style="color:#d62728">- - threshold</span> · ' +
    '<span style="background:#f4c7c3">labelled anomaly</span> · <span style="color:#ff7f0e">▮ flagged (alert open)</span>';
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<title>${esc(p.title)}</title></head><body style="font-family:sans-serif">`,
    `<h3>${esc(p.title)}</h3><p style="font-size:12px">${legend}; ${n} scored rows${buckets < n ? `, shown as ${buckets} buckets (max per bucket)` : ''}</p>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`,
    '</body></html>',
    '',
  ].join('\n');
}
