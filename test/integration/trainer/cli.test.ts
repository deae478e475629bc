// The issue's "done when" through the real command line: `sensorwatch train
// --once --synthetic --kind sae|dae|conv --json` on simulator data, no Kafka.
// (Shorter data and 3 epochs, not the defaults: what is checked shows after 3.)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/sensorwatch.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sw-train-cli-'));
const configFile = join(dir, 'sensorwatch.yaml');
writeFileSync(configFile, `trainer:\n  modelDir: ${JSON.stringify(join(dir, 'models'))}\nlogLevel: warn\n`);

async function train(kind: string): Promise<Record<string, unknown>> {
  const args = [bin, 'train', '--once', '--synthetic', '--kind', kind, '--json', '--backend', 'wasm', '--seconds', '90', '--epochs', '3', '--config', configFile];
  const { stdout, stderr } = await run(process.execPath, args, { timeout: 60_000 });
  assert.match(stderr, /epoch 3\/3 \[=+>\] loss \S+ val \S+ best \S+ ETA 0s/, 'progress bar on stderr');
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('sensorwatch train --once --synthetic', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--kind sae reports a mean code activation within a factor of two of ρ', async () => {
    const r = await train('sae');
    for (const key of ['modelKey', 'version', 'kind', 'backend', 'windows', 'trainSeconds', 'valLoss', 'threshold', 'thresholdMethod', 'meanCodeActivation']) {
      assert.ok(key in r, `--json has ${key}`);
    }
    assert.deepEqual([r.modelKey, r.version, r.kind, r.backend, r.thresholdMethod], ['default', 1, 'sae', 'wasm', 'likelihood']);
    const rho = defaultConfig.model.sparsity.rho;
    const a = r.meanCodeActivation as number;
    assert.ok(a > rho / 2 && a < rho * 2, `mean code activation ${a} vs ρ ${rho}`);
    assert.ok((r.windows as number) > 500);
  });

  for (const [kind, version] of [['dae', 2], ['conv', 3]] as const) {
    it(`--kind ${kind} reports a positive threshold and validation loss`, async () => {
      const r = await train(kind);
      assert.equal(r.kind, kind);
      assert.equal(r.version, version, 'versions increase per model key');
      assert.ok((r.threshold as number) > 0 && (r.valLoss as number) > 0, JSON.stringify(r));
    });
  }

  it('`models list --local` shows the three versions, the last in force', async () => {
    const { stdout } = await run(process.execPath, [bin, 'models', 'list', '--local', '--config', configFile], { timeout: 30_000 });
    const rows = stdout.trim().split('\n').slice(1);
    assert.deepEqual(rows.map((r) => r.split(/\s+/).filter(Boolean).slice(0, 4)), [
      ['default', '1', 'sae', 'wasm'],
      ['default', '2', 'dae', 'wasm'],
      ['*', 'default', '3', 'conv'],
    ]);
  });
});

describe('sensorwatch train: flag overrides get the config checks', () => {
  it('--kind conv with a window length the conv model cannot halve is refused before training (exit 1, the key named)', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'sw-train-cli-bad-'));
    try {
      // Valid for the default (dae) model; the conv model's two filter layers need a length divisible by 4.
      const file = join(bad, 'sensorwatch.yaml');
      writeFileSync(file, `windowing:\n  length: 62\n  hop: 16\ntrainer:\n  modelDir: ${JSON.stringify(join(bad, 'models'))}\nlogLevel: warn\n`);
      await run(process.execPath, [bin, 'config', 'check', file], { timeout: 30_000 });
      const err = await run(process.execPath, [bin, 'train', '--once', '--synthetic', '--kind', 'conv', '--config', file], { timeout: 30_000 }).then(
        () => assert.fail('train accepted --kind conv with windowing.length 62'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(err.code, 1, err.stderr);
      assert.match(err.stderr, /^sensorwatch train: invalid configuration in .*sensorwatch\.yaml:\n {2}- windowing\.length \(62\) must be divisible by 4 for the conv model/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
