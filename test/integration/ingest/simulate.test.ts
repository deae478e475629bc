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
import { fleetFromConfig, simulateFleet } from '../../../ingest/simulate/fleet.ts';
import { loadConfig } from '../../../common/config/load.ts';
import { collectMessages, deleteTopics, testBrokers, uniqueName } from '../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));

describe('sensorwatch simulate (real broker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-simulate-'));
  const readings = uniqueName('it-sim-readings');
  const labels = uniqueName('it-sim-labels');
  const fleetReadings = uniqueName('it-sim-fleet-readings');
  const fleetLabels = uniqueName('it-sim-fleet-labels');
  let brokers: string[] = [];

  after(async () => {
    await deleteTopics(brokers, [readings, labels, fleetReadings, fleetLabels]);
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

  it('with sensorTypes: a mixed fleet on one topic, each type its ids, channels and rate, as the pure fleet gives it', async () => {
    brokers = await testBrokers();
    const configFile = join(dir, 'fleet.yaml');
    writeFileSync(
      configFile,
      [
        `topics:\n  readings: ${fleetReadings}\n  labels: ${fleetLabels}\n  partitions: 2\nlogLevel: warn`,
        'sensorTypes:',
        "  - { name: pump, sensors: ['pump-*'], windowing: { channels: [a, b, c, d, e, f, g, h], samplePeriodMs: 50 } }",
        "  - { name: valve, sensors: ['valve-*'], windowing: { channels: [pos, dp, cmd], samplePeriodMs: 200, length: 32, hop: 8 } }",
        "  - { name: tank, sensors: ['tank-*'], windowing: { channels: [level], samplePeriodMs: 500, length: 16, hop: 4 } }",
        '',
      ].join('\n'),
    );
    const args = [bin, 'simulate', '--config', configFile, '--brokers', brokers.join(','), '--sensors', '2', '--duration', '10', '--fast', '--format', 'json', '--anomaly-every', '3', '--seed', '9'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    const types = fleetFromConfig(loadConfig({ file: configFile, env: {} }), { sensors: 2 });
    const expected = simulateFleet({ types, startTime: 0, seed: 9, anomalyEverySeconds: 3 }, 10);
    // 2 pumps x 200 + 2 valves x 50 + 2 tanks x 20
    const count = expected.readings.length;
    assert.equal(count, 540);
    assert.match(stdout, /produced 540 readings from 6 sensors of 3 types \(pump 2, valve 2, tank 2\)/);
    const got = await collectMessages({ brokers, topic: fleetReadings, count });
    const decoded = got.map((m) => JSON.parse(m.value?.toString() ?? '') as { sensorId: string; timestamp: number; values: number[] });
    const start = Math.min(...decoded.map((r) => r.timestamp));
    const norm = (r: { sensorId: string; timestamp: number; values: number[] }, t0: number): string => `${r.sensorId}@${r.timestamp - t0}:${r.values.length}:${r.values.join(',')}`;
    assert.deepEqual(decoded.map((r) => norm(r, start)).sort(), expected.readings.map((r) => norm(r, 0)).sort());
    assert.deepEqual([...new Set(decoded.map((r) => r.sensorId))].sort(), ['pump-1', 'pump-2', 'tank-1', 'tank-2', 'valve-1', 'valve-2']);
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
