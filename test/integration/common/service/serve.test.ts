// Services fail fast: a metrics port that is taken ends `sensorwatch ingest`,
// `scorer` and `train` with exit 1 and a message naming the port, before they
// join a consumer group or consume anything.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testBrokers, waitFor } from '../../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../../bin/sensorwatch.mjs', import.meta.url));

describe('serveUntilSignal: a taken metrics port', () => {
  let brokers: string[];
  let holder: Server;
  let port = 0;

  before(async () => {
    brokers = await testBrokers();
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  after(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  for (const verb of ['ingest', 'scorer', 'train'] as const) {
    it(`${verb}: exits 1 with the port in the message, having consumed nothing`, async () => {
      const child = spawn(process.execPath, [bin, verb, '--brokers', brokers.join(','), '--metrics-port', String(port)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SENSORWATCH_LOG_LEVEL: 'info' },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      let code: number | null | undefined;
      child.once('exit', (c) => (code = c));
      try {
        await waitFor(() => code !== undefined, { timeoutMs: 30_000, intervalMs: 100, what: `sensorwatch ${verb} to exit (output: ${out})` });
      } finally {
        if (code === undefined) child.kill('SIGKILL');
      }
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
      assert.match(out, /metrics_listen_failed/);
      assert.doesNotMatch(out, /joined consumer group|ingest started|scorer started|trainer started/, 'nothing started consuming');
    });
  }
});
