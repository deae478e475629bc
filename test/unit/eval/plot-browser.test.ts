// The eval plot in a real browser: headless chromium renders plots/<file>.html
// to a PNG, which is decoded (node:zlib) and checked: not blank, the colours
// of the signal, the level, both alert kinds and the labels are drawn, and
// the anomaly span sits where its times put it. Needs Debian's chromium
// (scripts/install-chromium.sh; .ci/run installs it): without it these tests
// skip, and fail under SENSORWATCH_REQUIRE_TOOLS=1 (test/support/tools.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { plotColours, plotHtml } from '../../../eval/plot.ts';
import { plotInputOf } from '../../../eval/plot-input.ts';
import { plotFixture } from '../../support/plot-fixture.ts';
import { readPng, type Png } from '../../support/png.ts';
import { missing, toolPath } from '../../support/tools.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sw-plot-browser-'));

const chromium = (): string => toolPath('chromium');

async function screenshot(html: string, name: string, size: [number, number]): Promise<Png> {
  const page = join(dir, `${name}.html`);
  const png = join(dir, `${name}.png`);
  writeFileSync(page, html);
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start; the page is our own file.
  await run(chromium(), ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`, `--window-size=${size[0]},${size[1]}`, `--screenshot=${png}`, `file://${page}`], { timeout: 90_000 });
  return readPng(readFileSync(png));
}

const hex = (c: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

/** Pixels of exactly this colour (right of x0 and below y0): count and horizontal extent. */
function pixelsOf(img: Png, colour: string, from: { x0: number; y0: number } = { x0: 0, y0: 0 }): { count: number; minX: number; maxX: number } {
  const [r, g, b] = hex(colour);
  let count = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let i = 0; i < img.width * img.height; i++) {
    const x = i % img.width;
    if (x < from.x0 || i < from.y0 * img.width) continue;
    if (img.rgba[i * 4] === r && img.rgba[i * 4 + 1] === g && img.rgba[i * 4 + 2] === b) {
      count++;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
  }
  return { count, minX, maxX };
}

describe('eval plot in headless chromium', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the pointer readout names the time and the score under it', { skip: missing('chromium', import.meta.filename) }, async () => {
    const { series, result } = plotFixture({ channels: 4 });
    const input = plotInputOf(series, result, 0.5);
    // A pointer move at the middle of the plot area (svg x 110 + 1070 / 2), dispatched once the page has loaded.
    const probe = `<script>var s=document.querySelector('svg'),r=s.getBoundingClientRect();s.dispatchEvent(new MouseEvent('mousemove',{clientX:r.left+(110+535)*r.width/1200,clientY:r.top+50}));</script>`;
    const page = join(dir, 'hover.html');
    writeFileSync(page, plotHtml(input).replace('</body>', `${probe}</body>`));
    const { stdout } = await run(chromium(), ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1240,900', '--dump-dom', `file://${page}`], { timeout: 90_000 });
    const readout = /<span id="readout">([^<]*)<\/span>/.exec(stdout)?.[1] ?? '';
    const t0 = input.times[0] as number;
    const t1 = input.times[input.times.length - 1] as number;
    const mid = new Date((t0 + t1) / 2).toISOString().replace('.000Z', 'Z');
    assert.match(readout, new RegExp(`^${mid} · anomaly score \\(calibrated\\) [0-9.e-]+ · alert level 0\\.5$`), readout);
  });

  it('renders the signal, the score with its level, alert spans by kind and labels', { skip: missing('chromium', import.meta.filename) }, async () => {
    const { series, result } = plotFixture({ channels: 12 });
    const input = plotInputOf(series, result, 0.5);
    const img = await screenshot(plotHtml(input), 'pump-7', [1240, 900]);
    assert.deepEqual([img.width, img.height], [1240, 900]);

    const colours = new Set<number>();
    let ink = 0;
    for (let i = 0; i < img.width * img.height; i++) {
      const [r, g, b] = [img.rgba[i * 4] as number, img.rgba[i * 4 + 1] as number, img.rgba[i * 4 + 2] as number];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 3 * 235) ink++;
    }
    assert.ok(colours.size >= 200, `a drawn page has many colours (antialiased lines and text), got ${colours.size}`);
    assert.ok(ink / (img.width * img.height) > 0.03, `more than 3 % of the page is drawn, got ${(100 * ink / (img.width * img.height)).toFixed(2)} %`);

    // Solid fills come out exactly: the alert lanes and the legend.
    const anomaly = pixelsOf(img, plotColours.anomaly);
    const fault = pixelsOf(img, plotColours.sensor_fault);
    assert.ok(anomaly.count > 200 && fault.count > 100, `alert spans drawn (anomaly ${anomaly.count} px, sensor fault ${fault.count} px)`);
    assert.ok(pixelsOf(img, plotColours.level).count > 50, 'the threshold line is drawn');
    assert.ok(pixelsOf(img, plotColours.channel).count > 500, 'the channels and the score are drawn');

    // The anomaly lane's span sits at its times: x = body margin + svg left pad + its share of the time range.
    const span = input.alerts.find((a) => a.kind === 'anomaly');
    assert.ok(span !== undefined);
    const t0 = input.times[0] as number;
    const t1 = input.times[input.times.length - 1] as number;
    const expectX = (t: number): number => 12 + 110 + ((t - t0) / (t1 - t0)) * (1200 - 110 - 20);
    // Below the legend (its swatch shares the colour), right of the lane names.
    const lane = pixelsOf(img, plotColours.anomaly, { x0: 12 + 110, y0: 200 });
    assert.ok(Math.abs(lane.minX - expectX(span.from)) <= 3 && Math.abs(lane.maxX - expectX(span.to)) <= 3, `anomaly span at x ${lane.minX}-${lane.maxX}, expected ${expectX(span.from).toFixed(0)}-${expectX(span.to).toFixed(0)}`);
  });
});
