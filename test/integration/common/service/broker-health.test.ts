// /healthz tells the truth about the broker: a running `sensorwatch train`
// service on its own broker is ready; the broker goes away and after
// kafka.unreachableNotReadyMs /healthz answers 503 (the process stays alive:
// /livez 200); the broker comes back on the same port and it is ready again.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { topicNamesWithPrefix } from '../../../../common/config/defaults.ts';
import { startLocalBroker, type LocalBroker } from '../../../../common/kafka-local/local-broker.ts';
import { uniqueName, waitFor } from '../../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../../bin/sensorwatch.mjs', import.meta.url));

describe('/healthz and an unreachable broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-broker-health-'));
  let broker: LocalBroker | undefined;
  let proc: ChildProcess | undefined;
  after(async () => {
    if (proc?.exitCode === null) proc.kill('SIGKILL');
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ready -> 503 once the broker is gone for unreachableNotReadyMs -> ready when it is back', async () => {
    const dataDir = join(dir, 'kafka');
    broker = await startLocalBroker({ port: 0, dataDir });
    const port = broker.port;
    const configFile = join(dir, 'sensorwatch.yml');
    const prefix = uniqueName('health');
    writeFileSync(
      configFile,
      YAML.stringify({
        kafka: { brokers: broker.brokers, clientId: prefix, unreachableNotReadyMs: 2000 },
        topics: { ...topicNamesWithPrefix(prefix), partitions: 1 },
        trainer: { modelDir: join(dir, 'models'), schedule: '1h' },
        logLevel: 'info',
      }),
    );
    let out = '';
    proc = spawn(process.execPath, [bin, 'train', '--config', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const url = await waitFor(() => /"msg":"metrics served","url":"([^"]+)\/metrics"/.exec(out)?.[1], { what: 'the metrics URL', timeoutMs: 60_000 });
    const health = async (): Promise<{ status: number; body: { status: string; broker?: { reachable: boolean; unreachableForMs: number } } }> => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string } };
    };
    await waitFor(async () => (await health()).status === 200, { what: 'ready with the broker up', timeoutMs: 30_000 });
    assert.equal((await health()).body.broker?.reachable, true);

    await broker.stop();
    const down = await waitFor(async () => {
      const h = await health();
      return h.status === 503 ? h : null;
    }, { what: '/healthz to say not ready', timeoutMs: 20_000, intervalMs: 200 });
    assert.equal(down.body.broker?.reachable, false);
    assert.ok((down.body.broker?.unreachableForMs ?? 0) >= 2000, 'not before unreachableNotReadyMs');
    assert.equal((await fetch(`${url}/livez`)).status, 200, 'alive all the same');
    // the child's stdout and its HTTP answer travel apart: wait for the line (logged before the 503)
    await waitFor(() => /brokers unreachable for \d+ ms .*not ready/.test(out), { what: 'the "not ready" log line', timeoutMs: 10_000 });
    assert.match(out, /brokers unreachable for \d+ ms .*not ready/);

    broker = await startLocalBroker({ port, dataDir });
    await waitFor(async () => (await health()).status === 200, { what: 'ready again once the broker is back', timeoutMs: 30_000, intervalMs: 250 });
    await waitFor(() => /brokers reachable again: ready/.test(out), { what: 'the "ready again" log line', timeoutMs: 10_000 });
    assert.match(out, /brokers reachable again: ready/);

    proc.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => proc?.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, out.slice(-2000));
  });
});
