// Per-file plot: a self-contained HTML page (one inline SVG, a few lines of
// inline script for the hover readout, no network). Top to bottom: the signal
// (each channel, or the most telling ones), the score with the level that
// decides, the alert spans by kind, and a time axis with round UTC ticks.
// Labelled anomalies are shaded behind every panel. Long series are bucketed
// by time (channels: min and max per bucket; score: max) so spikes stay visible.
import { logTicks, numberTicks, timeTicks, type Tick } from './plot-axis.ts';
import { spansNote, type AlertKind, type PlotInput } from './plot-input.ts';

export type { PlotInput } from './plot-input.ts';

const W = 1200;
const pad = { left: 110, right: 20, top: 8 };
const stripH = 58;
const stripGap = 8;
const scoreH = 210;
const laneH = 12;
const axisH = 44;
const maxBuckets = 1000;
const plotW = W - pad.left - pad.right;

export const plotColours = {
  channel: '#1f77b4',
  score: '#1f77b4',
  level: '#d62728',
  anomaly: '#ff7f0e',
  sensor_fault: '#9467bd',
  label: '#f4c7c3',
} as const;

/** A string as a JS literal that is safe inside <script> (no '</script>'). */
const jsString = (s: string): string => JSON.stringify(s).replace(/</g, '\\u003c');
/** Per-bucket values for the hover readout: 4 significant digits, null where none. */
const perBucket = (values: Float64Array): string => JSON.stringify(Array.from(values, (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)) : null)));
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (v: number): string => v.toFixed(1);

interface Buckets {
  count: number;
  /** Row -> bucket. */
  of(row: number): number;
  /** Bucket -> x (its centre). */
  x(b: number): number;
  /** A time -> x. */
  tx(t: number): number;
}

function bucketsOf(times: ArrayLike<number>): Buckets {
  const n = times.length;
  const t0 = (times[0] as number) ?? 0;
  const t1 = (times[n - 1] as number) ?? 0;
  const spanT = t1 > t0 ? t1 - t0 : 1;
  const count = Math.max(1, Math.min(n, maxBuckets));
  return {
    count,
    of: (row) => Math.min(count - 1, Math.max(0, Math.floor((((times[row] as number) - t0) / spanT) * count))),
    x: (b) => pad.left + ((b + 0.5) / count) * plotW,
    tx: (t) => pad.left + ((t - t0) / spanT) * plotW,
  };
}

/** Per bucket: min and max of the finite values (NaN where none). */
function minMax(values: ArrayLike<number>, bk: Buckets): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(bk.count).fill(Number.NaN);
  const hi = new Float64Array(bk.count).fill(Number.NaN);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const b = bk.of(i);
    if (!(v >= (lo[b] as number))) lo[b] = v;
    if (!(v <= (hi[b] as number))) hi[b] = v;
  }
  return { lo, hi };
}

/** Per bucket: the last finite value (a level in force). */
function lastOf(values: ArrayLike<number>, bk: Buckets): Float64Array {
  const out = new Float64Array(bk.count).fill(Number.NaN);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) out[bk.of(i)] = v;
  }
  return out;
}

/** An SVG path through the finite points, broken where a bucket is empty. */
function pathOf(points: Array<[number, number] | null>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${f1(p[0])},${f1(p[1])}`;
    pen = true;
  }
  return d;
}

function yTicks(parts: string[], ticks: Tick[], y: (v: number) => number, top: number, height: number): void {
  for (const t of ticks) {
    const yy = y(t.at);
    if (yy < top - 0.5 || yy > top + height + 0.5) continue;
    parts.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${f1(yy)}" y2="${f1(yy)}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${f1(yy + 4)}" text-anchor="end" font-size="11" fill="#444">${esc(t.text)}</text>`);
  }
}

export function plotHtml(p: PlotInput): string {
  const n = p.times.length;
  const bk = bucketsOf(p.times);
  const t0 = (p.times[0] as number) ?? 0;
  const t1 = (p.times[n - 1] as number) ?? 0;
  const channelsTop = pad.top;
  const scoreTop = channelsTop + p.channels.length * (stripH + stripGap) + 6;
  const lanesTop = scoreTop + scoreH + 8;
  const axisTop = lanesTop + 2 * laneH + 6;
  const H = axisTop + axisH;
  const parts: string[] = [];

  // Behind everything: labelled anomalies, and the vertical time grid.
  for (const l of p.labels) {
    const x0 = bk.tx(l.from);
    parts.push(`<rect class="label" x="${f1(x0)}" y="${channelsTop}" width="${f1(Math.max(1.5, bk.tx(l.to) - x0))}" height="${f1(lanesTop - channelsTop)}" fill="${plotColours.label}" opacity="0.6"/>`);
  }
  const ticks = p.timeKind === 'time' ? timeTicks(t0, t1) : numberTicks(t0, t1, 8);
  for (const t of ticks) {
    const x = bk.tx(t.at);
    parts.push(`<line x1="${f1(x)}" x2="${f1(x)}" y1="${channelsTop}" y2="${axisTop}" stroke="#ececec"/>`);
    parts.push(`<line x1="${f1(x)}" x2="${f1(x)}" y1="${axisTop}" y2="${axisTop + 5}" stroke="#666"/>`);
    parts.push(`<text x="${f1(x)}" y="${axisTop + 18}" text-anchor="middle" font-size="11" fill="#333">${esc(t.text)}</text>`);
  }
  parts.push(`<text x="${pad.left + plotW / 2}" y="${axisTop + 36}" text-anchor="middle" font-size="12" fill="#333">${p.timeKind === 'time' ? 'time (UTC)' : 'row'}</text>`);

  // The signal: one strip per channel, its own y range.
  p.channels.forEach((ch, k) => {
    const top = channelsTop + k * (stripH + stripGap);
    const { lo, hi } = minMax(ch.values, bk);
    const finite = [...lo, ...hi].filter(Number.isFinite);
    const vmin = finite.length === 0 ? 0 : Math.min(...finite);
    const vmax = finite.length === 0 ? 1 : Math.max(...finite);
    const range = vmax > vmin ? vmax - vmin : 1;
    const y = (v: number): number => top + stripH - 3 - ((v - vmin) / range) * (stripH - 6);
    const points: Array<[number, number] | null> = [];
    for (let b = 0; b < bk.count; b++) {
      const a = lo[b] as number;
      const z = hi[b] as number;
      if (!Number.isFinite(a)) points.push(null);
      else points.push([bk.x(b), y(a)], [bk.x(b), y(z)]);
    }
    parts.push(`<rect x="${pad.left}" y="${top}" width="${plotW}" height="${stripH}" fill="none" stroke="#bbb"/>`);
    parts.push(`<path class="channel" d="${pathOf(points)}" fill="none" stroke="${plotColours.channel}" stroke-width="1"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${top + 14}" text-anchor="end" font-size="12" font-weight="bold" fill="#222">${esc(ch.name)}</text>`);
    const fmt = (v: number): string => String(Number(v.toPrecision(4)));
    parts.push(`<text x="${pad.left - 6}" y="${top + 30}" text-anchor="end" font-size="10" fill="#666">max ${esc(fmt(vmax))}</text>`);
    parts.push(`<text x="${pad.left - 6}" y="${top + stripH - 3}" text-anchor="end" font-size="10" fill="#666">min ${esc(fmt(vmin))}</text>`);
  });

  // The score and the level that decides.
  const scoreB = minMax(p.score, bk).hi;
  const levelRows = typeof p.level === 'number' ? Array.from({ length: n }, () => p.level as number) : p.level;
  const levelB = lastOf(levelRows, bk);
  const values = [...scoreB, ...levelB].filter(Number.isFinite);
  let y: (v: number) => number;
  let yt: Tick[];
  if (p.scoreScale === 'log') {
    const floor = 1e-9;
    const logs = values.map((v) => Math.log10(Math.max(v, floor)));
    const lo = logs.length === 0 ? -1 : Math.floor(Math.min(...logs));
    const hi = logs.length === 0 ? 0 : Math.max(Math.ceil(Math.max(...logs)), lo + 1);
    y = (v) => scoreTop + scoreH - ((Math.log10(Math.max(v, floor)) - lo) / (hi - lo)) * scoreH;
    yt = logTicks(lo, hi);
  } else {
    const lo = Math.min(0, ...values);
    const hi = Math.max(lo + 1e-9, ...values) * 1.05;
    y = (v) => scoreTop + scoreH - ((v - lo) / (hi - lo)) * scoreH;
    yt = numberTicks(lo, hi);
  }
  yTicks(parts, yt, y, scoreTop, scoreH);
  parts.push(`<path class="score" d="${pathOf(Array.from(scoreB, (v, b) => (Number.isFinite(v) ? [bk.x(b), y(v)] : null)))}" fill="none" stroke="${plotColours.score}" stroke-width="1.2"/>`);
  const levelPoints: Array<[number, number] | null> = [];
  levelB.forEach((v, b) => {
    if (!Number.isFinite(v)) levelPoints.push(null);
    else levelPoints.push([bk.x(b) - plotW / bk.count / 2, y(v)], [bk.x(b) + plotW / bk.count / 2, y(v)]);
  });
  parts.push(`<path class="level" d="${pathOf(levelPoints)}" fill="none" stroke="${plotColours.level}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  parts.push(`<rect x="${pad.left}" y="${scoreTop}" width="${plotW}" height="${scoreH}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${pad.left - 48}" y="${scoreTop + scoreH / 2}" text-anchor="middle" font-size="12" fill="#222" transform="rotate(-90 ${pad.left - 48} ${scoreTop + scoreH / 2})">${esc(p.scoreLabel)}${p.scoreScale === 'log' ? ' (log)' : ''}</text>`);

  // Alert spans, one lane per kind.
  (['anomaly', 'sensor_fault'] as const).forEach((kind, k) => {
    const top = lanesTop + k * laneH;
    parts.push(`<text x="${pad.left - 6}" y="${top + 10}" text-anchor="end" font-size="11" fill="${plotColours[kind]}">${kind === 'anomaly' ? 'anomaly alert' : 'sensor fault'}</text>`);
    parts.push(`<rect x="${pad.left}" y="${top + 1}" width="${plotW}" height="${laneH - 2}" fill="#f7f7f7"/>`);
    for (const a of p.alerts.filter((s) => s.kind === kind)) {
      const x0 = bk.tx(a.from);
      parts.push(`<rect class="alert-${kind}" x="${f1(x0)}" y="${top + 1}" width="${f1(Math.max(2, bk.tx(a.to) - x0))}" height="${laneH - 2}" fill="${plotColours[kind]}"/>`);
    }
  });
  parts.push(`<line id="cursor" x1="0" x2="0" y1="${channelsTop}" y2="${axisTop}" stroke="#333" stroke-width="0.8" visibility="hidden"/>`);

  // The alert count is report.md's; spans differ from it only where rows skip windows or windows were not judged (spansNote).
  const spans = (kind: AlertKind): string => {
    const k = p.alerts.filter((a) => a.kind === kind).length;
    const alerts = p.alertCounts[kind];
    const counted = `${alerts} ${alerts === 1 ? 'alert' : 'alerts'}`;
    const note = spansNote(alerts, k);
    return note === null ? counted : `${counted} in ${note}`;
  };
  const legend = [
    `<span style="color:${plotColours.score}">━ ${esc(p.scoreLabel)}</span>`,
    `<span style="color:${plotColours.level}">╍ ${esc(p.levelLabel)} (alert above it)</span>`,
    `<span style="color:${plotColours.anomaly}">▬ anomaly alert open (${spans('anomaly')})</span>`,
    `<span style="color:${plotColours.sensor_fault}">▬ sensor fault detected (${spans('sensor_fault')})</span>`,
    p.labels.length > 0 ? `<span style="background:${plotColours.label}">&nbsp;labelled anomaly (${p.labels.length})&nbsp;</span>` : 'no labels',
  ].join(' · ');
  const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
  const range = n === 0 ? 'no rows' : p.timeKind === 'time' ? `${iso(t0)} – ${iso(t1)}` : `rows ${t0} – ${t1}`;
  const buckets = bk.count < n ? `, drawn as ${bk.count} time buckets (channels: min–max, score: max per bucket)` : '';
  // The hover readout: the time under the pointer, from the same linear mapping as the axis.
  const script = `(function(){var s=document.querySelector('svg'),c=document.getElementById('cursor'),o=document.getElementById('readout');
var L=${pad.left},P=${plotW},t0=${t0},t1=${t1},time=${p.timeKind === 'time'},N=${jsString(p.scoreLabel)},M=${jsString(p.levelLabel)};
var S=${perBucket(scoreB)},V=${perBucket(levelB)};
s.addEventListener('mousemove',function(e){var r=s.getBoundingClientRect(),x=(e.clientX-r.left)*(${W}/r.width);
if(x<L||x>L+P){c.setAttribute('visibility','hidden');return;}c.setAttribute('x1',x);c.setAttribute('x2',x);c.setAttribute('visibility','visible');
var t=t0+(x-L)/P*(t1-t0),b=Math.min(S.length-1,Math.max(0,Math.floor((x-L)/P*S.length)));
o.textContent=(time?new Date(t).toISOString().replace('.000Z','Z'):'row '+Math.round(t))+(S[b]===null?'':' · '+N+' '+S[b])+(V[b]===null?'':' · '+M+' '+V[b]);});})();`;
  return [
    '<!doctype html><html><head><meta charset="utf-8">',
    `<title>${esc(p.title)}</title></head><body style="font-family:sans-serif;margin:12px">`,
    `<h3 style="margin:0 0 4px">${esc(p.title)}</h3>`,
    `<p style="font-size:12px;margin:0 0 4px;color:#333">${esc(p.subtitle)}</p>`,
    `<p style="font-size:12px;margin:0 0 4px">${legend}</p>`,
    `<p style="font-size:12px;margin:0 0 6px;color:#555">${esc(range)}; ${n} rows${buckets}${p.channelNote === null ? '' : `; ${esc(p.channelNote)}`} · pointer: <span id="readout">–</span></p>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" style="background:#fff">${parts.join('')}</svg>`,
    `<script>${script}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
