// `sensorwatch simulate` end to end against a real broker: the CLI in a child
// process produces readings and labels; they match the pure generator.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createReadingDecoder } from '../../../common/codec/reading.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { InjectedAnomaly } from '../../../common/types.ts';
import { simulate } from '../../../ingest/simulate/generator.ts';
import { collectMessages, deleteTopics, testBrokers, uniqueName } from '../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));

describe('sensorwatch simulate (real broker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-simulate-'));
  const readings = uniqueName('it-sim-readings');
  const labels = uniqueName('it-sim-labels');
  let brokers: string[] = [];

  after(async () => {
    await deleteTopics(brokers, [readings, labels]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces N sensors x rate x duration readings and the injected labels, to the topics and the file', async () => {
    brokers = await testBrokers();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, `topics:\n  readings: ${readings}\n  labels: ${labels}\n  partitions: 2\nwindowing:\n  samplePeriodMs: 100\nlogLevel: warn\n`);
    const labelsFile = join(dir, 'labels.jsonl');
    const args = [bin, 'simulate', '--config', configFile, '--brokers', brokers.join(','), '--sensors', '3', '--rate', '10', '--duration', '20', '--fast', '--format', 'json', '--anomaly-every', '4', '--seed', '5', '--labels-file', labelsFile];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);

    const expected = simulate({ sensors: 3, channels: defaultConfig.windowing.channels, rateHz: 10, startTime: 0, seed: 5, anomalyEverySeconds: 4 }, 20);
    assert.ok(expected.labels.length >= 3, 'the run should inject anomalies');
    assert.match(stdout, new RegExp(`produced 600 readings from 3 sensors and ${expected.labels.length} anomaly labels`));

    const got = await collectMessages({ brokers, topic: readings, count: 600 });
    const decoder = createReadingDecoder({ channels: defaultConfig.windowing.channels, maxFutureMs: 60_000 });
    const decoded = got.map((m) => {
      const res = decoder.decode(m.value, m.headers, Date.now());
      assert.ok(res.ok && res.format === 'json', JSON.stringify(res));
      assert.equal(m.key?.toString(), res.reading.sensorId);
      return res.reading;
    });
    // same stream as the pure generator, shifted in event time
    const start = Math.min(...decoded.map((r) => r.timestamp));
    assert.ok(start < Date.now() - 15_000, 'fast mode starts event time in the past');
    const norm = (r: { sensorId: string; timestamp: number; values: number[] }, t0: number): string => `${r.sensorId}@${r.timestamp - t0}:${r.values.join(',')}`;
    assert.deepEqual(decoded.map((r) => norm(r, start)).sort(), expected.readings.map((r) => norm(r, 0)).sort());

    const shape = (l: InjectedAnomaly, t0: number): string => `${l.sensorId} ${l.kind} ${l.start - t0}-${l.end - t0} [${l.channels.join(',')}]`;
    const fromTopic = (await collectMessages({ brokers, topic: labels, count: expected.labels.length })).map((m) => JSON.parse(m.value?.toString() ?? '') as InjectedAnomaly);
    const fromFile = readFileSync(labelsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as InjectedAnomaly);
    const want = expected.labels.map((l) => shape(l, 0)).sort();
    assert.deepEqual(fromTopic.map((l) => shape(l, start)).sort(), want);
    assert.deepEqual(fromFile.map((l) => shape(l, start)).sort(), want);
  });

  it('refuses bad flags with a usage message and exit code 2', async () => {
    const child = spawn(process.execPath, [bin, 'simulate', '--rate', 'fast'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /--rate must be a rate in Hz/);
  });
});
