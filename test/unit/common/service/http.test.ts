import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { collectDefaultMetricsOnce, startMetricsServer } from '../../../../common/service/http.ts';

describe('startMetricsServer', () => {
  it('serves /metrics, /healthz (503 until ready, then 200), /livez and 404 elsewhere', async () => {
    const registry = new Registry();
    new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
    collectDefaultMetricsOnce(registry);
    collectDefaultMetricsOnce(registry); // a second service on the same registry must not throw
    let ready = false;
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, ready: () => ready, health: () => ({ model: 'default v1' }) });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      const text = await metrics.text();
      assert.match(text, /test_things_total 3/);
      assert.match(text, /process_cpu_user_seconds_total/);
      assert.match(text, /nodejs_heap_size_used_bytes/);
      const starting = await fetch(`${base}/healthz`);
      assert.equal(starting.status, 503);
      assert.deepEqual(await starting.json(), { status: 'starting', model: 'default v1' });
      ready = true;
      const up = await fetch(`${base}/healthz`);
      assert.equal(up.status, 200);
      assert.equal(((await up.json()) as { status: string }).status, 'ready');
      assert.equal((await fetch(`${base}/livez`)).status, 200);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      await server.close();
    }
  });

  it('says what to do when the port is taken', async () => {
    const registry = new Registry();
    const first = await startMetricsServer({ host: '127.0.0.1', port: 0, registry, ready: () => true });
    try {
      await assert.rejects(startMetricsServer({ host: '127.0.0.1', port: first.port, registry, ready: () => true }), /EADDRINUSE.*metrics\.port/);
    } finally {
      await first.close();
    }
  });
});
