// A SensorwatchError that reaches the top of a verb is one line for a person
// (`sensorwatch <verb>: <message> [code]`, exit 1), never a stack; any other
// error is a bug and keeps its stack (cli/main.ts runVerb).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runVerb } from '../../../cli/main.ts';
import { SensorwatchError } from '../../../common/errors.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-cli-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const { SENSORWATCH_CONFIG: _config, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...inherited, ...env } });
  return { status: r.status, stderr: r.stderr };
}

const noStack = (text: string): void => assert.doesNotMatch(text, /^\s+at /m, `a stack trace:\n${text}`);

describe('sensorwatch <verb>: a SensorwatchError is one message, exit 1', () => {
  it('kafka start without java (JAVA_HOME pointing at no java) names the install command', () => {
    // JAVA_HOME wins over PATH (common/kafka-local/jars.ts javaCommand), so an empty one is a machine without java.
    const r = run(['kafka', 'start', '--data-dir', join(dir, 'kafka'), '--port', '19902'], { JAVA_HOME: join(dir, 'no-java') });
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^sensorwatch kafka: java \(.+, from JAVA_HOME\)( and mvn \(Maven\))? not installed: the local Kafka broker needs Java 17\+; install with: apt-get install .* \[java_missing\]$/);
  });

  it('demo with a config file that is not there says so', () => {
    const r = run(['demo', '--config', join(dir, 'missing.yml')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^sensorwatch demo: invalid configuration in .*missing\.yml:\n {2}- cannot read the file: ENOENT \[config_invalid\]\n$/);
    noStack(r.stderr);
  });
});

describe('runVerb', () => {
  function capture(): { text: () => string; restore: () => void } {
    const write = process.stderr.write.bind(process.stderr);
    let text = '';
    process.stderr.write = ((chunk: string | Uint8Array) => {
      text += chunk.toString();
      return true;
    }) as typeof process.stderr.write;
    return { text: () => text, restore: () => (process.stderr.write = write) };
  }

  it('passes the exit code through', async () => {
    assert.equal(await runVerb('x', async () => 3), 3);
  });

  it('a SensorwatchError: one line with the verb, message and code, exit 1', async () => {
    const out = capture();
    let code: number;
    try {
      code = await runVerb('kafka', async () => {
        throw new SensorwatchError('mvn (Maven) not installed', { code: 'maven_missing' });
      });
    } finally {
      out.restore();
    }
    assert.equal(code, 1);
    assert.equal(out.text(), 'sensorwatch kafka: mvn (Maven) not installed [maven_missing]\n');
  });

  it('any other error is a bug: rethrown with its stack', async () => {
    const bug = new TypeError('x is undefined');
    await assert.rejects(runVerb('kafka', async () => Promise.reject(bug)), (err) => err === bug && typeof bug.stack === 'string');
  });
});
