// `sensorwatch config check` runs every validation the services run: a
// schedule the trainer would refuse fails here too, with the trainer's message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateConfig } from '../../../../common/config/validate.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';

const bin = fileURLToPath(new URL('../../../../bin/sensorwatch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-config-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function check(yaml: string): { code: number | null; out: string } {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [bin, 'config', 'check', file], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('sensorwatch config check', () => {
  it('fails on schedules the trainer refuses, naming the key and the cause', () => {
    const words = check('trainer:\n  schedule: "every 5 minutes"\n');
    assert.equal(words.code, 1, words.out);
    assert.match(words.out, /trainer\.schedule 'every 5 minutes' is neither an interval .* nor a cron expression/);
    const minute = check('trainer:\n  schedule: "61 * * * *"\n');
    assert.equal(minute.code, 1, minute.out);
    assert.match(minute.out, /trainer\.schedule '61 \* \* \* \*'.*61 expected range 0-59/);
  });

  it('accepts an interval and a valid cron expression', () => {
    for (const schedule of ['10m', '*/5 * * * *']) {
      const r = check(`trainer:\n  schedule: "${schedule}"\n`);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /: ok/);
    }
  });
});

describe('cross-field checks of the new keys', () => {
  it('scorer.silentAfterMs must be longer than the time between windows (or 0)', () => {
    const short = validateConfig({ scorer: { silentAfterMs: 100 } }, defaultConfig);
    assert.equal(short.config, null);
    assert.match(short.errors.join('\n'), /scorer\.silentAfterMs \(100\) is not longer than the time between a sensor's windows/);
    assert.deepEqual(validateConfig({ scorer: { silentAfterMs: 0 } }, defaultConfig).errors, []);
  });
});
