// Fault suite: a stop after a broker outage. The broker is killed while the
// scorer (`sensorwatch scorer`, a process) works through a backlog, comes back
// on the same port and data, and the scorer then gets SIGTERM: it must exit
// within 35 s (every stop step is bounded, and whatever was still waited on
// is named in the log), not minutes later.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { encodeWindow } from '../../../common/codec/records.ts';
import { startLocalBroker, type LocalBroker } from '../../../common/kafka-local/local-broker.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { serialiseArtifact } from '../../../common/model/artifact.ts';
import { createModelPublisher } from '../../../common/model/store/kafka.ts';
import { zeroModel } from '../../unit/scorer/support.ts';
import { createTopics, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { controlWindows, faultConfig, faultReadings } from './support.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));
const outageMs = 10_000;
const stopWithinMs = 35_000;

describe('fault suite: SIGTERM to the scorer after a broker outage under backlog', () => {
  let dataDir: string;
  let broker: LocalBroker | undefined;
  let child: ChildProcess | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sw-fault-stop-'));
    broker = await startLocalBroker({ port: 0, dataDir, unref: true, log: (m) => process.stderr.write(`[stop broker] ${m}\n`) });
  });

  after(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`outage, restart, SIGTERM: the scorer exits within ${stopWithinMs / 1000} s with a 'stopped' line`, async () => {
    const brokers = broker!.brokers;
    const config = faultConfig(brokers, 'fault-stop');
    const windows = [...controlWindows(config, faultReadings(6, 6000)).values()];
    await createTopics(brokers, [{ name: config.topics.windows, partitions: 2 }]);
    const producer = createIdempotentProducer(testKafka(brokers, 'fault-stop-producer'));
    await producer.connect();
    for (let i = 0; i < windows.length; i += 2000) {
      await producer.send({ topic: config.topics.windows, acks: -1, messages: windows.slice(i, i + 2000).map((w) => ({ key: w.sensorId, value: encodeWindow(w) })) });
    }
    await producer.disconnect();
    const publisher = await createModelPublisher(testKafka(brokers, 'fault-stop-models'), config.topics);
    const model = zeroModel({ channels: config.windowing.channels, length: config.windowing.length });
    await publisher.publish(await serialiseArtifact(model), model.meta);
    model.dispose();
    await publisher.close();

    const file = join(dataDir, 'scorer.yaml');
    // small batches: the backlog takes a while, so the outage hits it mid-way
    writeFileSync(file, stringify({ kafka: { brokers }, topics: config.topics, windowing: config.windowing, trainer: { modelDir: join(dataDir, 'models') }, scorer: { backend: 'cpu', batch: { maxSize: 16, maxWaitMs: 5 } }, logLevel: 'info' }));
    const proc = spawn(process.execPath, [bin, 'scorer', '--config', file, '--group', uniqueName('fault-stop-scorer'), '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let log = '';
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
    const url = await waitFor(() => /"msg":"metrics served","url":"([^"]+)\/metrics"/.exec(log)?.[1], { what: 'the metrics URL', timeoutMs: 60_000 });
    const scored = async (): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return [...text.matchAll(/^sensorwatch_windows_scored_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    await waitFor(async () => (await scored()) >= 200, { what: 'the scorer to work through the backlog', timeoutMs: 60_000, intervalMs: 100 });

    process.kill(broker!.pid, 'SIGKILL');
    await waitFor(() => !isAlive(broker!.pid), { what: 'the broker to die' });
    const before = await scored();
    assert.ok(before < windows.length, `the outage hit mid-backlog (${before} of ${windows.length} scored)`);
    await new Promise((r) => setTimeout(r, outageMs));
    broker = await startLocalBroker({ port: broker!.port, dataDir, unref: true, log: (m) => process.stderr.write(`[stop broker] ${m}\n`) });
    assert.equal(proc.exitCode, null, `the scorer rode out the outage: ${log.slice(-1500)}`);

    const sent = Date.now();
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopWithinMs + 30_000);
    const end = await exited;
    clearTimeout(timer);
    const tookMs = Date.now() - sent;
    const tail = log.split('\n').filter((l) => /stopping|stop:|stopped|exiting/.test(l)).join('\n');
    process.stderr.write(`[scorer-stop] exited ${tookMs} ms after SIGTERM (${JSON.stringify(end)}); stop lines:\n${tail}\n`);
    assert.ok(tookMs <= stopWithinMs, `the scorer took ${tookMs} ms to exit after SIGTERM; its stop lines:\n${tail}`);
    assert.equal(end.signal, null, 'it exited by itself');
    assert.match(log, /"msg":"stopped","service":"scorer"/, tail);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
