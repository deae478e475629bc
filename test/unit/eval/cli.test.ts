// End to end, generic CSV mode: a directory of ';'-separated files with a time
// column, a label column and ignored columns, written to a temp dir, through
// the real windower, training, scoring and decisions; then the what-if dry run.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRng } from '../../../common/rng.ts';
import { run } from '../../../eval/cli.ts';

const rows = { 'plant-a.csv': 300, 'sub/plant-b.csv': 260 };
const trainRows = 150;

function seriesText(n: number, seed: number): string {
  const rng = createRng(seed);
  const lines = ['time;site;id;temp;flow;label'];
  for (let i = 0; i < n; i++) {
    const anomalous = i >= n - 60 && i < n - 40;
    const temp = Math.sin(i / 8) + 0.05 * rng.normal() + (anomalous ? 4 : 0);
    const flow = Math.cos(i / 8) + 0.05 * rng.normal();
    const time = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    lines.push(`${time};north;${1000 + i};${temp.toFixed(4)};${flow.toFixed(4)};${anomalous ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('sensorwatch eval (csv, end to end)', () => {
  let dir: string;
  let out: string;
  let stdout = '';
  const realWrite = process.stdout.write.bind(process.stdout);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sw-eval-'));
    out = join(dir, 'out');
    mkdirSync(join(dir, 'data', 'sub'), { recursive: true });
    Object.entries(rows).forEach(([name, n], k) => writeFileSync(join(dir, 'data', name), seriesText(n, k + 1)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const capture = async (argv: string[]): Promise<number> => {
    // Let the test runner write the previous test's result first: it reports on stdout too.
    await new Promise((r) => setTimeout(r, 50));
    stdout = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      return await run(argv);
    } finally {
      process.stdout.write = realWrite;
    }
  };

  it('writes one output row per scored input row, metrics and plots', async () => {
    const code = await capture([
      '--data', join(dir, 'data'), '--out', out, '--sep', ';', '--time-col', 'time', '--label-col', 'label', '--ignore-cols', 'site,id',
      '--train-rows', String(trainRows), '--kind', 'dense', '--window', '8', '--epochs', '3', '--threshold-method', 'quantile', '--quantile', '0.99',
    ]);
    assert.equal(code, 0, stdout);
    for (const [name, n] of Object.entries(rows)) {
      const lines = readFileSync(join(out, 'series', name), 'utf8').trim().split('\n');
      assert.equal(lines[0], 'timestamp,score,threshold,is_anomaly,label,alert,error,error_threshold');
      assert.equal(lines.length - 1, n - trainRows, `${name}: one row per scored input row`);
      const first = (lines[1] ?? '').split(',');
      assert.equal(first[0], new Date(Date.UTC(2024, 0, 1) + trainRows * 60_000).toISOString(), 'rows start right after the training part');
      for (const line of lines.slice(1)) {
        const [, score, threshold, flag, label, alert] = line.split(',');
        assert.ok(Number(score) >= 0 && Number(score) <= 1 && Number(threshold) > 0, line); // hop 1 with training context: every scored row has a window
        assert.match(`${flag}${label}`, /^[01][01]$/);
        assert.equal(flag === '1', alert !== '', `is_anomaly goes with a named alert kind: ${line}`);
      }
      assert.ok(existsSync(join(out, 'plots', `${name}.html`)));
      assert.ok(existsSync(join(out, 'history', `${name}.json`)));
    }
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Record<string, unknown> & { perFile: Record<string, { model: { kind: string } }> };
    for (const key of ['precision', 'recall', 'f1', 'far', 'mar', 'eventRecall', 'meanDetectionDelayRows', 'meanDetectionDelaySeconds', 'perFile']) assert.ok(key in metrics, key);
    assert.deepEqual(Object.keys(metrics.perFile).sort(), Object.keys(rows).sort());
    assert.equal(metrics.perFile['plant-a.csv']?.model.kind, 'dense');
    assert.equal(metrics.rowsScored, 300 + 260 - 2 * trainRows);
    // channels: temp and flow (site is text, id ignored); a +4 level shift on temp is found
    assert.ok((metrics.eventRecall as number) > 0, `event recall ${String(metrics.eventRecall)}`);
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| plant-a\.csv \| 150 \|/);
  });

  it('warns when a column named like a label is read as a channel (no --label-col)', async () => {
    let stderr = '';
    const realErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      const code = await capture([
        '--data', join(dir, 'data'), '--out', join(dir, 'out-nolabel'), '--sep', ';', '--time-col', 'time', '--ignore-cols', 'site,id', '--only', 'plant-a',
        '--train-rows', String(trainRows), '--kind', 'dense', '--window', '8', '--epochs', '1', '--threshold-method', 'quantile',
      ]);
      assert.equal(code, 0, stdout);
    } finally {
      process.stderr.write = realErr;
    }
    assert.match(stderr, /sensorwatch eval: warning: plant-a\.csv: column 'label' looks like a label but is read as a channel .*--label-col label .*--ignore-cols label/);
  });

  it('--what-if re-decides the scored history and prints before → after', async () => {
    const file = join(dir, 'thresholds.yaml');
    // A threshold nothing reaches, and no new-extreme rule (the +4 shift is a new extreme).
    writeFileSync(file, 'thresholds:\n  method: static\n  value: 1000000\n  novelty:\n    enabled: false\n');
    const code = await capture(['--what-if', file, '--out', out]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /\| plant-a\.csv \| [0-9.e+-]+ → 1\.00e\+6 \| [0-9.]+ → 0\.00 \|/);
    assert.match(stdout, /\| all 2 sensors \| \(per sensor\) \| [0-9.]+ → 0\.00 \|/);
    const w = JSON.parse(readFileSync(join(out, 'what-if.json'), 'utf8')) as { sensors: Array<{ sensor: string; before: { flaggedRows: number }; after: { alerts: number } }> };
    assert.equal(w.sensors.length, 2);
    assert.ok(w.sensors.every((s) => s.after.alerts === 0));
    // "before" is the backtest's own decisions, replayed: it flags exactly the rows the CSV flags
    for (const s of w.sensors) {
      const flagged = readFileSync(join(out, 'series', s.sensor), 'utf8').trim().split('\n').slice(1).filter((l) => l.split(',')[3] === '1').length;
      assert.equal(s.before.flaggedRows, flagged, s.sensor);
    }
  });

  it('refuses bad flags with usage (exit 2)', async () => {
    const errors: string[] = [];
    const realErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((c: string | Uint8Array) => errors.push(String(c)) > 0) as typeof process.stderr.write;
    try {
      assert.equal(await run(['--data', dir, '--out', out, '--train-rows', '5', '--train-fraction', '0.5']), 2);
    } finally {
      process.stderr.write = realErr;
    }
    assert.match(errors.join(''), /give one of --train-rows, --train-fraction, --train-until/);
  });
});
