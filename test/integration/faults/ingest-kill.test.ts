// Fault suite: ingest SIGKILLed at random points of a stream and restarted,
// three times. The windows topic must hold exactly the windows of a run
// without faults (by sensor and seq, the first cut of each equal to the
// control's), and no window identity may first appear below a later one of
// its sensor (a hole filled late, which the scorer would drop as decided).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../common/config/types.ts';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import type { Producer } from '../../../common/kafka/types.ts';
import { createRng } from '../../../common/rng.ts';
import { createTopics, deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { assertSameWindows, collectWindows, controlWindows, faultConfig, faultReadings, produceReadings, untilQuiet, describeMissing, type WindowCollector } from './support.ts';

const child = fileURLToPath(new URL('../ingest/ingest-child.ts', import.meta.url));

interface Running {
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function spawnIngest(configFile: string, groupId: string): Running {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, configFile, groupId], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output, exited };
}

describe('fault suite: ingest SIGKILL at random points', () => {
  let brokers: string[];
  let config: Config;
  let dir: string;
  let configFile: string;
  let producer: Producer;
  let collector: WindowCollector | undefined;
  const groupId = uniqueName('fault-kill-ingest');
  const procs: Running[] = [];

  before(async () => {
    brokers = await testBrokers();
    config = faultConfig(brokers, 'fault-kill');
    dir = mkdtempSync(join(tmpdir(), 'sw-fault-kill-'));
    configFile = join(dir, 'config.yaml');
    // YAML reads JSON: only what differs from the defaults
    writeFileSync(configFile, JSON.stringify({ kafka: { brokers }, topics: config.topics, windowing: config.windowing }));
    await createTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter].map((name) => ({ name, partitions: 2 })));
    producer = createIdempotentProducer(testKafka(brokers, 'fault-kill-producer'));
    await producer.connect();
  });

  after(async () => {
    for (const r of procs) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await Promise.all(procs.map((r) => r.exited));
    await collector?.stop();
    await producer?.disconnect();
    await deleteTopics(brokers, [config.topics.readings, config.topics.windows, config.topics.deadLetter]);
    await deleteGroups(brokers, [groupId]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('three crashes mid-stream: exactly the windows of a run without faults, no hole, nothing new below a later seq', async () => {
    const readings = faultReadings(6, 2000);
    const control = controlWindows(config, readings);
    assert.ok(control.size > 2500, `control windows: ${control.size}`);
    collector = await collectWindows(brokers, config.topics.windows);
    const rng = createRng(13);
    const quarter = Math.ceil(readings.length / 4);
    for (let round = 0; round < 4; round++) {
      await produceReadings(producer, config.topics.readings, readings.slice(round * quarter, (round + 1) * quarter));
      const run = spawnIngest(configFile, groupId);
      procs.push(run);
      const seenBefore = collector.first.size;
      await waitFor(() => run.output.join('').includes('READY'), { what: `ingest ${run.proc.pid} to join`, timeoutMs: 60_000 }).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\n${run.output.join('').slice(-3000)}`);
      });
      if (round < 3) {
        // a random point: after 5 to 90 % of this quarter's new windows are out
        const target = seenBefore + Math.floor((0.05 + 0.85 * rng.next()) * (control.size / 4));
        await waitFor(() => collector!.first.size >= target || run.proc.exitCode !== null, { what: `windows to reach ${target}`, timeoutMs: 60_000 });
        run.proc.kill('SIGKILL');
        assert.equal(await run.exited, null, `ingest exited by itself: ${run.output.join('').slice(-2000)}`);
      } else {
        await waitFor(() => collector!.first.size >= control.size, { what: `all ${control.size} windows`, timeoutMs: 90_000 }).catch((e: unknown) => {
          throw new Error(`${(e as Error).message}: ${describeMissing(collector!, control)}\n${run.output.join('').slice(-3000)}`);
        });
        // once nothing more comes (repeats of a replay included), no identity the control run lacks
        await untilQuiet(collector);
        assertSameWindows(collector, control, 'after 3 SIGKILLs');
        run.proc.kill('SIGTERM');
        assert.equal(await run.exited, 0, run.output.join('').slice(-2000));
      }
    }
  });
});
