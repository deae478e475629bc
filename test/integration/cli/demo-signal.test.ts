// One signal stops `sensorwatch demo`: the demo runs in its own process group
// (as in a terminal's foreground job), the signal goes to the whole group, as a
// Ctrl-C does, and the demo must exit 0 within 10 s with its local broker
// stopped last (no connection errors from services that outlived it) and gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isAlive } from '../../../common/kafka-local/process.ts';
import { repoRoot } from '../../unit/deploy/provisioning.ts';
import { waitFor } from '../../support/kafka.ts';

async function signalDemo(signal: NodeJS.Signals): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-demo-signal-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KAFKA_BROKERS; // the demo must start (and own) its local broker
  const child = spawn(process.execPath, [join(repoRoot, 'bin/sensorwatch.mjs'), 'demo', '--kafka-port', '0', '--metrics-port', '0', '--duration', '3600'], {
    cwd: dir,
    env,
    detached: true, // its own process group, like a shell's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, sig) => (exit = { code, signal: sig }));
  const logFile = join(dir, '.data/demo.log');
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let brokerPid = -1;
  try {
    await waitFor(
      () => {
        if (exit !== undefined) throw new Error(`the demo exited before it ran (${JSON.stringify(exit)}); output:\n${out}\nlog:\n${log().slice(-3000)}`);
        return out.includes('metrics at ') && /"msg":"simulating"/.test(log());
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the demo to run' },
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\noutput so far:\n${out}\nlog:\n${log().slice(-3000)}`);
    });
    brokerPid = Number(/Kafka ready at \S+ in [\d.]+ s \(pid (\d+)\)/.exec(log())?.[1] ?? -1);
    assert.ok(brokerPid > 0 && isAlive(brokerPid), 'the demo logs its broker pid');
    const metricsUrl = /metrics at (http:\S+)\/metrics/.exec(out)?.[1];
    const health = (await (await fetch(`${metricsUrl}/healthz`)).json()) as { broker?: { reachable: boolean } };
    assert.equal(health.broker?.reachable, true, '/healthz reports the broker');
    assert.ok(child.pid !== undefined);
    const sentAt = Date.now();
    process.kill(-child.pid, signal); // the whole group, as the terminal does
    await waitFor(() => exit, { timeoutMs: 10_000, intervalMs: 100, what: `the demo to exit within 10 s of ${signal}` });
    const tookMs = Date.now() - sentAt;
    assert.deepEqual(exit, { code: 0, signal: null }, out);
    assert.match(out, /stopped cleanly/);
    assert.equal(isAlive(brokerPid), false, 'the broker is gone');
    // from the signal on: a start-up against a fresh broker may see a retried
    // "coordinator is loading" (a loaded machine), which is not the stop's doing
    const complaints = log()
      .split('\n')
      .filter((l) => /"level":"(warn|error)"/.test(l) && Date.parse(/"time":"([^"]+)"/.exec(l)?.[1] ?? '') >= sentAt);
    assert.deepEqual(complaints, [], 'nothing warns or fails while stopping (broker last)');
    assert.match(log(), /"msg":"ingest stopped"/);
    assert.ok(tookMs < 10_000);
  } finally {
    if (exit === undefined && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    if (brokerPid > 0 && isAlive(brokerPid)) process.kill(brokerPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('sensorwatch demo stops on one signal', () => {
  it('SIGINT to its process group (Ctrl-C): exit 0 within 10 s, services first, broker last', () => signalDemo('SIGINT'));
  it('SIGTERM to its process group: the same', () => signalDemo('SIGTERM'));
});
