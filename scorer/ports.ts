// The small interfaces the scorer's core talks to. Kafka, prom-client and
// TensorFlow.js stay behind them, so the engine runs against fakes in unit
// tests and against the real adapters in service.ts.
import type { LoadedModel } from '../common/model/artifact.ts';
import type { AnomalyAlert, DeadLetter } from '../common/types.ts';
import type { SensorState } from '../common/decision/decide.ts';

export { systemClock, type Clock } from '../common/clock.ts';

/**
 * Publishes one batch's alerts together with the sensor states they leave
 * behind; resolves only once the broker has acknowledged every record.
 */
export interface AlertPublisher {
  publish(alerts: readonly AnomalyAlert[], states: readonly SensorState[]): Promise<void>;
}

export interface DeadLetterSink {
  send(records: readonly DeadLetter[]): Promise<void>;
}

/** The model bookkeeping the metrics need (a subset of the artifact's meta). */
export interface ModelSummary {
  modelKey: string;
  version: number;
  kind: string;
  backend: string;
  createdAt: number;
  /** The sensor type the model was trained on ('default' for artifacts from before types). */
  sensorType: string;
}

/** What the scorer reports; implemented with prom-client in metrics.ts. */
export interface ScorerMetrics {
  batchScored(input: { size: number }): void;
  windowScored(input: { model: string; /** The sensor type (bounded: types come from config); default 'default'. */ type?: string; sensorId: string; error: number; score: number; threshold: number; contributions: readonly { channel: string; contribution: number }[] }): void;
  alertPublished(alert: Pick<AnomalyAlert, 'kind' | 'severity' | 'state'>): void;
  /** Creates the alert counters of these severities at 0, so rates exist before the first alert. */
  declareSeverities(names: readonly string[]): void;
  /** Open alerts by kind and severity, recomputed from the sensor states after each batch. */
  openAlerts(counts: ReadonlyMap<string, { kind: string; severity: string; count: number }>): void;
  decisionLatency(seconds: number): void;
  /** A window whose score came out NaN or infinite (a model that cannot score): counted, never decided. */
  nonFiniteScore(model: string, type?: string): void;
  /** A model version refused at load (checksum, undecodable, cannot score): the previous keeps serving. */
  modelRefused(model: string, code: string): void;
  modelLoaded(model: ModelSummary, previous: ModelSummary | null): void;
  deadLettered(reason: string, count: number): void;
  /** Windows held now for want of their model key's model, per key (with its type); replaces the previous set. */
  windowsWaitingForModel(counts: readonly { model: string; type: string; count: number }[]): void;
  /** An operator's verdict applied to a sensor's state (scorer/verdicts.ts). */
  verdictApplied(verdict: string, sensorId: string): void;
  consumerLag(group: string, topic: string, partition: number, lag: number): void;
}

/**
 * Per-sensor series bookkeeping the service drives (not the engine): which
 * alerts are open per sensor, and dropping the series of silent sensors.
 */
export interface SensorSeries {
  /** The alerts open now, one per sensor and kind; replaces the previous set. */
  sensorAlerts(open: readonly { sensorId: string; kind: string; severity: string; type?: string }[]): void;
  /** Removes every per-sensor series of these sensors and frees their places under the cap. */
  forgetSensors(sensorIds: readonly string[]): void;
  /** Sensors with per-sensor series now (live ones, at most maxSensorsExported). */
  exportedSensors(): number;
  /** The per-model counters at 0 for these model keys, so rates exist before the first window. */
  declareModelKeys(modelKeys: readonly string[], typeOfKey?: (modelKey: string) => string): void;
}

/**
 * Where models come from (the trainer's model topic in production). start()
 * offers the models in force now and every later one; models are handed over
 * to the scorer, which disposes them when they are replaced.
 */
export interface ModelFeed {
  start(offer: (model: LoadedModel) => void): Promise<void>;
  stop(): Promise<void>;
}
