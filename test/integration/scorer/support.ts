// Shared pieces of the scorer's integration tests: a config on unique topics,
// a model feed fixture, producing windows and reading alerts back, and the
// reference decisions (the engine run once over all windows, no Kafka, no crash).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Registry } from 'prom-client';
import { decodeAlert, encodeWindow } from '../../../common/codec/index.ts';
import { loadConfig } from '../../../common/config/load.ts';
import type { Config } from '../../../common/config/types.ts';
import { createIdempotentProducer } from '../../../common/kafka/index.ts';
import type { LoadedModel } from '../../../common/model/artifact.ts';
import type { AnomalyAlert, SignalWindow } from '../../../common/types.ts';
import { silentLogger } from '../../../common/log.ts';
import { createEngine } from '../../../scorer/engine.ts';
import { createModelShelf } from '../../../scorer/models.ts';
import { createScorerMetrics } from '../../../scorer/metrics.ts';
import type { ModelFeed } from '../../../scorer/ports.ts';
import { collectMessages, testKafka, uniqueName } from '../../support/kafka.ts';

export interface ScorerTestSetup {
  config: Config;
  configFile: string;
  /** Rewrites the config file with these YAML sections (over the base ones). */
  writeConfig(extra: Record<string, unknown>): void;
  groupId: string;
  /** Every topic the test (and the scorer) made: delete them after. */
  topics: string[];
}

const rawHysteresis = { releaseScore: 0.5, holdOffSamples: 0 };

export function scorerSetup(brokers: string[], prefix: string, options: { partitions?: number; hysteresis?: Record<string, number> } = {}): ScorerTestSetup {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const configFile = join(dir, 'sensorwatch.yaml');
  const groupId = uniqueName(`${prefix}-group`);
  const base: Record<string, unknown> = {
    kafka: { brokers },
    topics: {
      windows: uniqueName(`${prefix}-windows`),
      alerts: uniqueName(`${prefix}-alerts`),
      deadLetter: uniqueName(`${prefix}-dead`),
      models: uniqueName(`${prefix}-models`),
      modelArtifacts: uniqueName(`${prefix}-artifacts`),
      verdicts: uniqueName(`${prefix}-verdicts`),
      partitions: options.partitions ?? 1,
    },
    trainer: { modelDir: join(dir, 'models') },
    windowing: { channels: ['a', 'b'], length: 8, hop: 2 },
    // The raw-error path (score r / (1 + r), open at r = 1, resolve below it, no hold-off): the fixtures dial in ratios.
    thresholds: { method: 'quantile' },
    scorer: { hysteresis: { ...rawHysteresis, ...(options.hysteresis ?? { openAfter: 2, openWindow: 2, resolveAfter: 2 }) }, batch: { maxSize: 64, maxWaitMs: 10 } },
    logLevel: 'warn',
  };
  const writeConfig = (extra: Record<string, unknown>): void => {
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(extra)) merged[k] = typeof v === 'object' && v !== null ? { ...(base[k] as object | undefined), ...v } : v;
    const scorer = merged.scorer as { hysteresis?: Record<string, number> } | undefined;
    if (scorer?.hysteresis !== undefined) scorer.hysteresis = { ...rawHysteresis, ...scorer.hysteresis };
    writeFileSync(configFile, stringify(merged));
  };
  writeConfig({});
  const config = loadConfig({ file: configFile, env: {} });
  return { config, configFile, writeConfig, groupId, topics: [config.topics.windows, config.topics.alerts, config.topics.deadLetter, config.topics.models, config.topics.modelArtifacts, config.topics.verdicts, `${groupId}.state`] };
}

/** Offers the given models at start; push() offers another one later. */
export function fixtureFeed(initial: LoadedModel[]): ModelFeed & { push(model: LoadedModel): void } {
  let offer: ((m: LoadedModel) => void) | null = null;
  return {
    async start(o) {
      offer = o;
      for (const m of initial) o(m);
    },
    async stop() {
      offer = null;
    },
    push(model) {
      if (offer === null) throw new Error('feed not started');
      offer(model);
    },
  };
}

export async function produceWindows(brokers: string[], topic: string, windows: SignalWindow[], extra: Buffer[] = []): Promise<void> {
  const producer = createIdempotentProducer(testKafka(brokers, 'test-windows'));
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [...windows.map((w) => ({ key: w.sensorId, value: encodeWindow(w) })), ...extra.map((value) => ({ key: 'garbage', value }))],
    });
  } finally {
    await producer.disconnect();
  }
}

export async function readAlerts(brokers: string[], topic: string, count: number, timeoutMs = 30_000): Promise<AnomalyAlert[]> {
  const messages = await collectMessages({ brokers, topic, count, timeoutMs });
  return messages.map((m) => decodeAlert(m.value));
}

/** What a crash-free scorer decides for these windows (in this order per sensor). */
export async function referenceAlerts(config: Config, model: LoadedModel, windows: SignalWindow[]): Promise<AnomalyAlert[]> {
  const out: AnomalyAlert[] = [];
  const shelf = createModelShelf();
  shelf.offer(model);
  const engine = createEngine({
    config: () => config,
    models: shelf,
    publisher: { publish: async (alerts) => void out.push(...alerts) },
    deadLetters: { send: async () => undefined },
    metrics: createScorerMetrics({ registry: new Registry(), maxSensorsExported: () => 0, tensorCount: () => 0, backend: () => 'ref' }),
    clock: { now: () => 0 },
    log: silentLogger,
    backend: () => 'ref',
  });
  let offset = 0;
  await engine.handle(windows.map((window) => ({ source: { topic: 'ref', partition: 0, offset: String(offset++), key: null, value: Buffer.alloc(0) }, window })));
  return out;
}

/** Compact, order-independent view of alert events for comparisons. */
export const alertKeys = (alerts: AnomalyAlert[]): string[] =>
  alerts.map((a) => `${a.sensorId} ${a.kind} ${a.state} ${a.severity} ${a.alertId} @${a.windowStart} t=${a.threshold}`).sort();
