// startLocalBroker's lifecycle with real JVMs: port 0, stop leaves no process,
// a hard kill of the owner leaves no orphaned broker, a data dir in use is refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brokerLayout } from '../../../common/kafka-local/broker-config.ts';
import { startLocalBroker } from '../../../common/kafka-local/local-broker.ts';
import { probeBrokers } from '../../../common/kafka/probe.ts';
import { isAlive } from '../../../common/kafka-local/process.ts';
import { waitFor } from '../../support/kafka.ts';

function portAccepts(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host ?? '127.0.0.1', port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startLocalBroker', () => {
  it('port 0: starts on a free port, answers metadata, and stop() leaves no process, port or temp dir', async () => {
    const broker = await startLocalBroker({ port: 0 });
    try {
      assert.match(broker.brokers[0] ?? '', /^127\.0\.0\.1:\d+$/);
      assert.notEqual(broker.port, 9092);
      assert.ok(isAlive(broker.pid));
      const probe = await probeBrokers(broker.brokers);
      assert.equal(probe.ok, true, probe.error);
      assert.equal(probe.brokers, 1);
      assert.ok(existsSync(broker.serverLog), 'the broker logs into its data dir');
    } finally {
      await broker.stop();
    }
    assert.equal(isAlive(broker.pid), false, 'the JVM is gone');
    assert.equal(await portAccepts(broker.brokers[0] ?? ''), false, 'nothing listens on the port');
    assert.equal(existsSync(broker.dataDir), false, 'the temp data dir is removed');
    await broker.stop(); // a second stop is harmless
  });

  it('a SIGKILLed owner process takes its broker with it (watchdog)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/broker-child.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let line = '';
    child.stdout.on('data', (c: Buffer) => (line += c.toString()));
    try {
      await waitFor(() => line.includes('\n'), { timeoutMs: 120_000, intervalMs: 200, what: 'the child to report its broker' });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const started = JSON.parse(line) as { pid: number; dataDir: string; brokers: string[] };
    assert.ok(isAlive(started.pid));
    child.kill('SIGKILL');
    await waitFor(() => !isAlive(started.pid), { timeoutMs: 40_000, intervalMs: 200, what: `broker pid ${started.pid} to exit after its owner was killed` });
    rmSync(started.dataDir, { recursive: true, force: true }); // the killed owner could not clean up
  });

  it('refuses a data dir whose broker still runs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sensorwatch-kafka-inuse-'));
    try {
      // This very process stands in for the running broker.
      const info = { pid: process.pid, port: 1, controllerPort: 2, brokers: ['127.0.0.1:1'], version: 'x', startedAt: '' };
      writeFileSync(brokerLayout(dataDir).infoFile, JSON.stringify(info));
      await assert.rejects(startLocalBroker({ port: 0, dataDir }), (e: Error & { code?: string }) => e.code === 'local_broker_data_dir_in_use' && e.message.includes(dataDir));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
