// A scorer engine over an in-memory publisher, dead-letter sink and metrics
// registry, with the log kept as lines: the harness of the sensor-type tests
// (engine-types, engine-waiting).
import { Registry } from 'prom-client';
import { createEngine } from '../../../scorer/engine.ts';
import { createModelShelf } from '../../../scorer/models.ts';
import { createScorerMetrics } from '../../../scorer/metrics.ts';
import type { Config } from '../../../common/config/types.ts';
import type { SensorState } from '../../../common/decision/decide.ts';
import type { AnomalyAlert, DeadLetter } from '../../../common/types.ts';
import { createLogger } from '../../../common/log.ts';

export interface TypedEngineOptions {
  /** Model keys whose series are declared up front (as the service does). */
  declareModelKeys?: string[];
  maxWaitingWindows?: number;
}

export function typedEngine(config: Config, options: TypedEngineOptions = {}) {
  const published: { alerts: AnomalyAlert[]; states: SensorState[] }[] = [];
  const dead: DeadLetter[] = [];
  const lines: string[] = [];
  const registry = new Registry();
  const models = createModelShelf();
  const metrics = createScorerMetrics({ registry, maxSensorsExported: () => 100, tensorCount: () => 0, backend: () => 'cpu' });
  if (options.declareModelKeys !== undefined) metrics.declareModelKeys(options.declareModelKeys, (k) => k);
  const engine = createEngine({
    config: () => config,
    models,
    publisher: { publish: async (alerts, states) => void published.push({ alerts: [...alerts], states: [...states] }) },
    deadLetters: { send: async (records) => void dead.push(...records) },
    metrics,
    clock: { now: () => 1_700_000_100_000 },
    log: createLogger({ level: 'info', write: (line: string) => void lines.push(line) }),
    backend: () => 'cpu',
    ...(options.maxWaitingWindows === undefined ? {} : { maxWaitingWindows: options.maxWaitingWindows }),
  });
  return { engine, models, published, dead, registry, lines, alerts: (): AnomalyAlert[] => published.flatMap((p) => p.alerts) };
}
