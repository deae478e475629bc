// The metrics server: GET /metrics (Prometheus text), GET /healthz (200 when
// ready, 503 otherwise) and GET /livez (200 while the process runs). Reusable by every service; bind port 0 in tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import { SensorwatchError } from '../errors.ts';

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  ready: () => boolean;
  /** What /healthz reports besides ready (model, partitions …). */
  health?: () => Record<string, unknown>;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Node's default process metrics, registered once per registry (the demo shares one). */
export function collectDefaultMetricsOnce(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) collectDefaultMetrics({ register: registry });
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`),
      );
    } else if (path === '/livez') {
      // Liveness: the process answers. Readiness (/healthz) may take minutes
      // (no model yet); restarting for that would only make it later.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('alive\n');
    } else if (path === '/healthz') {
      const ready = options.ready();
      const body = JSON.stringify({ status: ready ? 'ready' : 'starting', ...options.health?.() });
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${body}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /livez\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void =>
      reject(
        new SensorwatchError(`cannot serve metrics on ${options.host}:${options.port}: ${err.code ?? err.message}` + (err.code === 'EADDRINUSE' ? ' (port taken: set metrics.port, or 0 for any free port)' : ''), {
          code: 'metrics_listen_failed',
          cause: err,
          details: { host: options.host, port: options.port },
        }),
      );
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
