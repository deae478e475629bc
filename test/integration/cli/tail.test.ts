// `sensorwatch alerts tail` and `dead-letters tail` through the real command
// line against the real broker: records published with the real codecs (the
// alerts in transactions, as the scorer does), exact JSON lines back, --sensor,
// --lines, --follow with Ctrl-C, and no consumer group left behind.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { tailGroupPrefix } from '../../../cli/tail-kafka.ts';
import { encodeAlert, encodeDeadLetter } from '../../../common/codec/index.ts';
import { createIdempotentProducer } from '../../../common/kafka/index.ts';
import type { AnomalyAlert, DeadLetter } from '../../../common/types.ts';
import { createTopics, deleteTopics, testBrokers, testKafka, uniqueName, waitFor, withAdmin } from '../../support/kafka.ts';

const execFileP = promisify(execFile);
const bin = join(import.meta.dirname, '../../../bin/sensorwatch.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sw-tail-'));
const configFile = join(dir, 'sensorwatch.yaml');
const alertsTopic = uniqueName('tail-alerts');
const deadTopic = uniqueName('tail-dead');
let brokers: string[] = [];

const t0 = Date.parse('2026-03-01T12:00:00Z');
/** Fields in schema order, so JSON.stringify of the object is the line the command prints. */
function alert(sensorId: string, i: number, state: AnomalyAlert['state'], kind: AnomalyAlert['kind'] = 'anomaly'): AnomalyAlert {
  return {
    alertId: `${sensorId}-${i}`,
    sensorId,
    state,
    kind,
    fault: kind === 'sensor_fault' ? 'flatline' : null,
    severity: state === 'resolve' ? 'none' : 'warning',
    score: 1.25 + i,
    reconstructionError: 0.5 * (i + 1),
    threshold: 0.4,
    topChannels: [{ channel: 'ch1', contribution: 0.3 }],
    modelKey: 'default',
    modelVersion: 2,
    windowStart: t0 + i * 1000,
    windowEnd: t0 + i * 1000 + 999,
    reason: null,
    stepError: kind === 'anomaly' ? 2 * i : null,
    stepThreshold: kind === 'anomaly' ? 12.5 : null,
    follows: i === 3 ? 's3-prior' : null,
    sensorType: 'default',
  };
}
const alerts: AnomalyAlert[] = [
  alert('s1', 0, 'open'),
  alert('s2', 1, 'open', 'sensor_fault'),
  alert('s1', 2, 'update'),
  alert('s3', 3, 'open'),
  alert('s2', 4, 'resolve', 'sensor_fault'),
  alert('s1', 5, 'resolve'),
];
const deadLetters: DeadLetter[] = [
  { sourceTopic: 'sensorwatch.readings', partition: 0, offset: '17', stage: 'ingest', reason: 'non_finite_value', message: "channel 'ch2' is \"hot\", not a number", key: Buffer.from('s1'), value: Buffer.from('{"sensorId":"s1","timestamp":1,"values":[1,"hot"]}'), timestamp: t0 },
  { sourceTopic: 'sensorwatch.windows', partition: 1, offset: '3', stage: 'scorer', reason: 'bad_window', message: 'window has no channels', key: Buffer.from('s2'), value: encodeAlert(alerts[0] as AnomalyAlert), timestamp: t0 + 1 },
  { sourceTopic: 'sensorwatch.readings', partition: 0, offset: '18', stage: 'ingest', reason: 'missing_sensor_id', message: 'no sensorId', key: null, value: Buffer.alloc(0), timestamp: t0 + 2 },
];
const line = (a: AnomalyAlert): string => JSON.stringify(a);

async function tail(args: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [bin, ...args, '--config', configFile, '--brokers', brokers.join(',')], { timeout: 60_000 });
    return { code: 0, lines: stdout.split('\n').filter((l) => l !== ''), stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, lines: (e.stdout ?? '').split('\n').filter((l) => l !== ''), stderr: e.stderr ?? '' };
  }
}

/** Publishes alerts one per transaction, with record timestamps one second apart (the order `--lines` uses). */
async function publishAlerts(list: readonly AnomalyAlert[], offset: number): Promise<void> {
  const producer = createIdempotentProducer(testKafka(brokers, 'tail-alerts'), { transactionalId: uniqueName('tail-tx') });
  await producer.connect();
  try {
    for (const [i, a] of list.entries()) {
      const tx = await producer.transaction();
      await tx.send({ topic: alertsTopic, messages: [{ key: a.sensorId, value: encodeAlert(a), timestamp: String(t0 + (offset + i) * 1000) }] });
      await tx.commit();
    }
  } finally {
    await producer.disconnect();
  }
}

async function tailGroups(): Promise<string[]> {
  return withAdmin(brokers, async (admin) => (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(tailGroupPrefix)));
}

describe('sensorwatch alerts tail / dead-letters tail (real broker)', () => {
  before(async () => {
    brokers = await testBrokers();
    writeFileSync(configFile, `topics:\n  alerts: ${alertsTopic}\n  deadLetter: ${deadTopic}\nlogLevel: warn\n`);
    // The records carry event times from t0 (months back): without retention.ms=-1 the
    // broker's retention check (7 days by default) deletes them in the middle of the tests.
    const keep = { 'retention.ms': '-1' };
    await createTopics(brokers, [{ name: alertsTopic, partitions: 3, config: keep }, { name: deadTopic, partitions: 2, config: keep }]);
    await publishAlerts(alerts, 0);
    const producer = createIdempotentProducer(testKafka(brokers, 'tail-dead'));
    await producer.connect();
    await producer.send({
      topic: deadTopic,
      messages: [
        ...deadLetters.map((d, i) => ({ key: d.key, value: encodeDeadLetter(d), timestamp: String(t0 + i) })),
        { key: 's1', value: Buffer.from('not avro at all'), timestamp: String(t0 + 10) },
      ],
    });
    await producer.disconnect();
  });
  after(async () => {
    await deleteTopics(brokers, [alertsTopic, deadTopic]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--from-beginning prints every alert as its exact JSON line, in order per sensor, and exits 0', async () => {
    const r = await tail(['alerts', 'tail', '--from-beginning']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...r.lines].sort(), alerts.map(line).sort());
    for (const sensor of ['s1', 's2', 's3']) {
      assert.deepEqual(r.lines.filter((l) => (JSON.parse(l) as AnomalyAlert).sensorId === sensor), alerts.filter((a) => a.sensorId === sensor).map(line));
    }
  });

  it('--sensor keeps one sensor; by default the last 10, with -n the last N in time order', async () => {
    const s1 = await tail(['alerts', 'tail', '--sensor', 's1']);
    assert.equal(s1.code, 0, s1.stderr);
    assert.deepEqual(s1.lines, alerts.filter((a) => a.sensorId === 's1').map(line));
    const last2 = await tail(['alerts', 'tail', '-n', '2', '--sensor', 's1']);
    assert.deepEqual(last2.lines, [alerts[2], alerts[5]].map((a) => line(a as AnomalyAlert)));
    const last3 = await tail(['alerts', 'tail', '--lines', '3']);
    assert.deepEqual(last3.lines, alerts.slice(3).map(line));
    const none = await tail(['alerts', 'tail', '--sensor', 'nobody']);
    assert.deepEqual([none.code, none.lines], [0, []]);
  });

  it('pipes into jq-style processing: every line is one JSON object', async () => {
    const r = await tail(['alerts', 'tail', '--from-beginning']);
    const opened = r.lines.map((l) => JSON.parse(l) as AnomalyAlert).filter((a) => a.state === 'open').map((a) => `${a.sensorId} ${a.kind}`);
    assert.deepEqual(opened.sort(), ['s1 anomaly', 's2 sensor_fault', 's3 anomaly']);
  });

  it('--follow prints what comes after, and Ctrl-C ends it with 0', async () => {
    const child = spawn(process.execPath, [bin, 'alerts', 'tail', '--follow', '--lines', '1', '--config', configFile, '--brokers', brokers.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stdout.includes('\n'), { timeoutMs: 30_000, what: `the last alert before following (stderr: ${stderr})` });
      const more = [alert('s4', 6, 'open'), alert('s4', 7, 'resolve')];
      await publishAlerts(more, 6);
      await waitFor(() => stdout.split('\n').filter(Boolean).length >= 3, { timeoutMs: 30_000, what: 'the new alerts' });
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.deepEqual(stdout.split('\n').filter(Boolean), [alerts[5] as AnomalyAlert, ...more].map(line));
      alerts.push(...more);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('dead letters: text as utf8, binary as base64, --sensor by key; an undecodable record is reported and exits 1', async () => {
    const r = await tail(['dead-letters', 'tail', '--from-beginning']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`skipped ${deadTopic} partition \\d offset \\d+: not a DeadLetter Avro record \\(15 bytes\\)`));
    const byReason = new Map(r.lines.map((l) => [(JSON.parse(l) as { reason: string }).reason, l]));
    assert.equal(byReason.size, 3);
    assert.equal(
      byReason.get('non_finite_value'),
      JSON.stringify({ sourceTopic: 'sensorwatch.readings', partition: 0, offset: '17', stage: 'ingest', reason: 'non_finite_value', message: "channel 'ch2' is \"hot\", not a number", key: 's1', keyEncoding: 'utf8', value: '{"sensorId":"s1","timestamp":1,"values":[1,"hot"]}', valueEncoding: 'utf8', timestamp: t0 }),
    );
    const binary = JSON.parse(byReason.get('bad_window') ?? '{}') as { value: string; valueEncoding: string; key: string };
    assert.deepEqual([binary.key, binary.valueEncoding], ['s2', 'base64']);
    assert.deepEqual(Buffer.from(binary.value, 'base64'), encodeAlert(alerts[0] as AnomalyAlert));
    assert.match(byReason.get('missing_sensor_id') ?? '', /"key":null,"keyEncoding":null,"value":"","valueEncoding":"utf8"/);

    const s2 = await tail(['dead-letters', 'tail', '--sensor', 's2']);
    assert.equal(s2.code, 0, 's2 has no undecodable record');
    assert.deepEqual(s2.lines.map((l) => (JSON.parse(l) as { reason: string }).reason), ['bad_window']);
  });

  it('an absent topic is a clear error; no tail consumer group is left behind', async () => {
    writeFileSync(join(dir, 'other.yaml'), `topics:\n  alerts: ${alertsTopic}-absent\n`);
    const { stderr } = await execFileP(process.execPath, [bin, 'alerts', 'tail', '--config', join(dir, 'other.yaml'), '--brokers', brokers.join(',')]).catch((e: { stderr: string }) => e);
    assert.match(stderr, new RegExp(`topic '${alertsTopic}-absent' \\(topics.alerts\\) does not exist`));
    assert.deepEqual(await tailGroups(), []);
  });
});
