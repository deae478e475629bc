// `sensorwatch <verb> --help` prints that verb's usage and exits 0, for every
// verb the top-level usage lists (it once said "unknown subcommand" for kafka).
// The top-level usage comes from bin/sensorwatch.mjs itself; the verbs' help
// runs through the same `main` in one child process (help-child.ts), one
// start-up for all of them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));
const child = fileURLToPath(new URL('./help-child.ts', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });

describe('sensorwatch <verb> --help', () => {
  const top = run([bin, '--help']);
  const verbs = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1] ?? '');
  const all = run(['--import', 'tsx', child, ...verbs]);
  const runs = new Map<string, { status: number | null; stdout: string; stderr: string }>();
  try {
    for (const r of JSON.parse(all.stdout) as { verb: string; status: number | null; stdout: string; stderr: string }[]) runs.set(r.verb, r);
  } catch {
    // each verb's test below fails with the child's output
  }
  it('the top-level usage lists the verbs', () => {
    assert.ok(verbs.length >= 8, top.stdout);
    assert.ok(verbs.includes('dead-letters'), top.stdout);
  });
  it('the top-level usage names every config sub-command that `config --help` lists', () => {
    const config = runs.get('config')?.stdout ?? '';
    const subs = [...config.matchAll(/\bconfig ([a-z]+)/g)].map((m) => m[1] ?? '');
    assert.deepEqual(subs, ['check', 'defaults', 'table'], config);
    const row = top.stdout.split('\n').find((l) => l.startsWith('  config ')) ?? '';
    for (const sub of subs) assert.match(row, new RegExp(`\\b${sub}\\b`), `top-level help: config ${sub} missing in '${row}'`);
  });
  for (const verb of verbs) {
    it(`${verb} --help: exit 0 with its usage on stdout`, () => {
      const r = runs.get(verb);
      assert.ok(r, `no result for ${verb}: exit ${all.status}, ${all.stdout}${all.stderr}`);
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /usage/);
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /unknown/);
    });
  }
});
