// `sensorwatch ingest` as a process: serves /healthz and /metrics, dead-letters
// a garbage record, and exits 0 on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createIdempotentProducer } from '../../../common/kafka/producer.ts';
import { deleteGroups, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));

describe('sensorwatch ingest (process, real broker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-ingest-cli-'));
  const topics = { readings: uniqueName('it-cli-readings'), windows: uniqueName('it-cli-windows'), deadLetter: uniqueName('it-cli-dlq') };
  const clientId = uniqueName('it-cli');
  let brokers: string[] = [];

  after(async () => {
    await deleteTopics(brokers, Object.values(topics));
    await deleteGroups(brokers, [`${clientId}-ingest`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health and metrics, dead-letters garbage, stops cleanly on SIGTERM', async () => {
    brokers = await testBrokers();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      [
        'kafka:',
        `  clientId: ${clientId}`,
        'topics:',
        ...Object.entries(topics).map(([k, v]) => `  ${k}: ${v}`),
        '  partitions: 1',
        'metrics:',
        '  port: 0',
        'logLevel: info',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [bin, 'ingest', '--config', configFile, '--brokers', brokers.join(',')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)\/metrics"/.exec(stderr)?.[1], { what: 'the metrics server', timeoutMs: 30_000 });
      await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { what: 'ingest to become ready', timeoutMs: 30_000 });

      const producer = createIdempotentProducer(testKafka(brokers, 'it-cli-producer'));
      await producer.connect();
      await producer.send({ topic: topics.readings, acks: -1, messages: [{ key: 'x', value: Buffer.from('\u0000garbage') }] });
      await producer.disconnect();
      await waitFor(async () => /sensorwatch_records_dead_lettered_total\{stage="ingest",reason="bad_avro"\} 1\n/.test(await (await fetch(`${url}/metrics`)).text()), {
        what: 'the bad_avro counter on /metrics',
      });
      const text = await (await fetch(`${url}/metrics`)).text();
      assert.match(text, /process_cpu_user_seconds_total/);
      assert.match(text, /sensorwatch_windows_published_total 0\n/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /"msg":"ingest stopped"/);
  });
});
