// Smoke test of `npm run bench -- --quick --json FILE` against the real test
// broker: the report must carry every key the issue names (speeds are not
// checked: the CI machine is shared), and the few properties that are about
// correctness rather than speed must hold.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { missingKeys, type BenchReport } from '../../../bench/report.ts';
import { testBrokers } from '../../support/kafka.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/sensorwatch.mjs', 'bench', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench --quick ran past ${timeoutMs} ms; stderr tail:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-bench-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a JSON report with every key, and prints the table', { timeout: 240_000 }, async () => {
    const brokers = await testBrokers();
    const file = join(dir, 'out.json');
    const r = await runBench(['--quick', '--no-install', '--json', file, '--brokers', brokers.join(',')], 220_000);
    assert.equal(r.code, 0, `bench exited ${r.code}; stderr tail:\n${r.stderr.slice(-3000)}`);
    const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
    assert.deepEqual(missingKeys(report), []);
    assert.equal(report.mode, 'quick');
    assert.match(r.stdout, /## Headline ratios/);
    assert.match(r.stdout, /scoring\.blasRatio/);

    // Every figure is either measured or null with the reason it is not.
    for (const section of ['scoring', 'training', 'kafka', 'memory'] as const) {
      const s = report[section] as unknown as Record<string, unknown>;
      const nulls = Object.entries(s).filter(([, v]) => v === null).map(([k]) => k);
      if (nulls.some((k) => k !== 'reason')) assert.ok(typeof s.reason === 'string' && s.reason !== '', `${section} has null figures (${nulls.join(', ')}) but no reason`);
    }

    // The pure-JavaScript backend is always there: scoring and training rows exist for it.
    assert.ok(report.machine.backends.cpu.available);
    assert.ok(report.scoring.rows.some((row) => row.backend === 'cpu' && row.batchSize === 1024 && row.windowsPerSec > 0));
    assert.ok(report.training.rows.some((row) => row.backend === 'cpu' && row.windowsPerSec > 0));
    // Not a speed: scoring must not leak tensors.
    assert.equal(report.memory.tensorsFlat, true, `tensor count went ${report.memory.tensorsStart} → ${report.memory.tensorsEnd}`);
    // When numpy ran, it computed the same function as tfjs.
    if (report.scoring.blasMaxAbsDiff !== null) assert.ok(report.scoring.blasMaxAbsDiff < 1e-3);
  });
});
