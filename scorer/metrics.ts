// The scorer's Prometheus metrics (names are a contract: docs/metrics.md,
// deploy/grafana, deploy/prometheus). The registry is passed in: the demo runs
// every service on one shared registry, so metrics that several services export
// (dead letters, consumer lag, tensors, backend) are reused when already there.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { alertKinds, alertStates } from '../common/types.ts';
import type { ModelSummary, ScorerMetrics, SensorSeries } from './ports.ts';

export interface ScorerMetricsOptions {
  registry: Registry;
  /** Most live sensors exported with a `sensor` label; the rest are left out (bounded cardinality). */
  maxSensorsExported: () => number;
  /** Live tfjs tensor count, read at scrape time. */
  tensorCount: () => number;
  /** Name of the tfjs backend in use, read at scrape time. */
  backend: () => string;
}

type Labels<L extends string> = { name: string; help: string; labelNames: readonly L[]; registers: Registry[] };

function counter<L extends string>(r: Registry, c: Omit<Labels<L>, 'registers'>): Counter<L> {
  return (r.getSingleMetric(c.name) as Counter<L> | undefined) ?? new Counter<L>({ ...c, labelNames: [...c.labelNames], registers: [r] });
}

function gauge<L extends string>(r: Registry, c: Omit<Labels<L>, 'registers'> & { collect?: (this: Gauge<L>) => void }): Gauge<L> {
  return (r.getSingleMetric(c.name) as Gauge<L> | undefined) ?? new Gauge<L>({ ...c, labelNames: [...c.labelNames], registers: [r] });
}

function histogram<L extends string>(r: Registry, c: Omit<Labels<L>, 'registers'> & { buckets: number[] }): Histogram<L> {
  return (r.getSingleMetric(c.name) as Histogram<L> | undefined) ?? new Histogram<L>({ ...c, labelNames: [...c.labelNames], registers: [r] });
}

/** Why the scorer refuses a model version at load (common/model/store/feed.ts); each is exported at 0 per model key. */
const refusalCodes = ['model_corrupt', 'model_invalid', 'model_incompatible', 'model_load_failed'] as const;

export function createScorerMetrics(options: ScorerMetricsOptions): ScorerMetrics & SensorSeries {
  const r = options.registry;
  const scored = counter(r, { name: 'sensorwatch_windows_scored_total', help: 'Windows scored, by model key and sensor type.', labelNames: ['model', 'type'] });
  const error = histogram(r, {
    name: 'sensorwatch_reconstruction_error',
    help: 'Reconstruction error (MSE over the normalised window), by model key and sensor type.',
    labelNames: ['model', 'type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 100],
  });
  const score = gauge(r, { name: 'sensorwatch_anomaly_score', help: 'Latest anomaly score in [0, 1] (the calibrated likelihood by default) per sensor, with its sensor type (capped at scorer.maxSensorsExported sensors).', labelNames: ['sensor', 'type'] });
  const contribution = gauge(r, {
    name: 'sensorwatch_channel_contribution',
    help: "Latest window's per-channel contribution to the reconstruction error, absolute (not a share of it; capped sensors).",
    labelNames: ['sensor', 'channel', 'type'],
  });
  const alerts = counter(r, { name: 'sensorwatch_alerts_total', help: 'Alert events published, by kind, severity and state (open, update, resolve).', labelNames: ['kind', 'severity', 'state'] });
  const open = gauge(r, { name: 'sensorwatch_alerts_open', help: 'Alerts open now, by kind and severity.', labelNames: ['kind', 'severity'] });
  const alertOpen = gauge(r, {
    name: 'sensorwatch_alert_open',
    help: 'Open alerts per sensor (value 1), by kind and the severity the scorer decided (capped sensors).',
    labelNames: ['sensor', 'kind', 'severity', 'type'],
  });
  const threshold = gauge(r, { name: 'sensorwatch_threshold', help: 'The level of the reported error (the alert\'s reconstructionError: the whole window\'s unless thresholds.likelihood.error is step) at which the score opens an alert, by model key and sensor, with its sensor type (capped sensors).', labelNames: ['model', 'sensor', 'type'] });
  const latency = histogram(r, {
    name: 'sensorwatch_scoring_latency_seconds',
    help: 'Seconds from a window\'s end (event time) to its decision being acknowledged by the broker.',
    labelNames: [],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });
  const batchSize = histogram(r, { name: 'sensorwatch_scoring_batch_size', help: 'Windows per inference batch.', labelNames: [], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
  const modelInfo = gauge(r, { name: 'sensorwatch_model_info', help: 'The model in force per model key (value 1).', labelNames: ['model', 'version', 'kind', 'backend', 'type'] });
  const modelCreated = gauge(r, { name: 'sensorwatch_model_created_timestamp_seconds', help: 'When the model in force was trained, seconds since the epoch.', labelNames: ['model'] });
  const nonFinite = counter(r, { name: 'sensorwatch_nonfinite_scores_total', help: 'Windows whose score was NaN or infinite (not decided), by model key and sensor type.', labelNames: ['model', 'type'] });
  const waitingForModel = gauge(r, {
    name: 'sensorwatch_windows_waiting_for_model',
    help: 'Windows held uncommitted because their model key has no model yet, by model key and sensor type; the other keys\' windows are decided meanwhile.',
    labelNames: ['model', 'type'],
  });
  const waitingLabels = new Map<string, { model: string; type: string }>();
  const refused = counter(r, { name: 'sensorwatch_models_refused_total', help: 'Model versions the scorer refused (model_corrupt, model_invalid, …); the previous version keeps serving.', labelNames: ['model', 'code'] });
  const verdicts = counter(r, {
    name: 'sensorwatch_alert_verdicts_total',
    help: "Operators' verdicts applied (sensorwatch alerts mark), by verdict and sensor (capped sensors; the rest count as sensor \"other\").",
    labelNames: ['verdict', 'sensor'],
  });
  const deadLetters = counter(r, { name: 'sensorwatch_records_dead_lettered_total', help: 'Records sent to the dead-letter topic, by stage and reason.', labelNames: ['stage', 'reason'] });
  // The scorer's dead-letter reasons exist at 0, so a rate() works before the first one.
  for (const reason of ['bad_avro', 'bad_window']) deadLetters.inc({ stage: 'scorer', reason }, 0);
  const lag = gauge(r, { name: 'sensorwatch_consumer_lag', help: 'Records behind the partition end, by consumer group, topic and partition.', labelNames: ['group', 'topic', 'partition'] });
  gauge(r, {
    name: 'sensorwatch_tensors',
    help: 'Live TensorFlow.js tensors in this process (grows only on a leak).',
    labelNames: [],
    collect() {
      this.set(options.tensorCount());
    },
  });
  gauge(r, {
    name: 'sensorwatch_backend_info',
    help: 'TensorFlow.js backend in use (value 1).',
    labelNames: ['backend'],
    collect() {
      this.reset();
      this.set({ backend: options.backend() }, 1);
    },
  });

  // Live sensors with per-sensor series, and the label values to remove them by.
  // The first maxSensorsExported get labels; a silent one (forgetSensors) frees its place.
  type Series = { models: Set<string>; channels: Set<string>; types: Set<string> };
  const exported = new Map<string, Series>();
  const exportable = (sensorId: string): Series | undefined => {
    let series = exported.get(sensorId);
    if (series === undefined && exported.size < options.maxSensorsExported()) {
      series = { models: new Set(), channels: new Set(), types: new Set() };
      exported.set(sensorId, series);
    }
    return series;
  };
  const removeSeries = (sensor: string, series: Series): void => {
    for (const type of series.types) {
      score.remove({ sensor, type });
      for (const model of series.models) threshold.remove({ model, sensor, type });
      for (const channel of series.channels) contribution.remove({ sensor, channel, type });
    }
  };
  let alerting: { sensor: string; kind: string; severity: string; type: string }[] = [];

  return {
    batchScored: ({ size }) => batchSize.observe(size),
    windowScored(w) {
      const type = w.type ?? 'default';
      scored.inc({ model: w.model, type });
      if (Number.isFinite(w.error)) error.observe({ model: w.model, type }, w.error);
      const series = exportable(w.sensorId);
      if (series === undefined) return;
      if (!series.types.has(type) && series.types.size > 0) {
        // Moved to another type: its series under the old type go.
        removeSeries(w.sensorId, series);
        series.models.clear();
        series.channels.clear();
        series.types.clear();
      }
      series.types.add(type);
      score.set({ sensor: w.sensorId, type }, w.score);
      threshold.set({ model: w.model, sensor: w.sensorId, type }, w.threshold);
      series.models.add(w.model);
      for (const c of w.contributions) {
        contribution.set({ sensor: w.sensorId, channel: c.channel, type }, c.contribution);
        series.channels.add(c.channel);
      }
    },
    sensorAlerts(openNow) {
      for (const labels of alerting) alertOpen.remove(labels);
      alerting = [];
      for (const a of openNow) {
        if (exportable(a.sensorId) === undefined) continue;
        const labels = { sensor: a.sensorId, kind: a.kind, severity: a.severity, type: a.type ?? 'default' };
        alertOpen.set(labels, 1);
        alerting.push(labels);
      }
    },
    forgetSensors(sensorIds) {
      for (const sensor of sensorIds) {
        const series = exported.get(sensor);
        if (series === undefined) continue;
        removeSeries(sensor, series);
        exported.delete(sensor);
      }
    },
    exportedSensors: () => exported.size,
    declareModelKeys(modelKeys, typeOfKey) {
      for (const model of modelKeys) {
        const type = typeOfKey?.(model) ?? 'default';
        scored.inc({ model, type }, 0);
        nonFinite.inc({ model, type }, 0);
        waitingForModel.set({ model, type }, 0);
        waitingLabels.set(`${model}\u0000${type}`, { model, type });
        for (const code of refusalCodes) refused.inc({ model, code }, 0);
      }
    },
    alertPublished: (a) => alerts.inc({ kind: a.kind, severity: a.severity, state: a.state }),
    declareSeverities(names) {
      for (const kind of alertKinds) for (const state of alertStates) for (const severity of names) alerts.inc({ kind, severity, state }, 0);
    },
    openAlerts(counts) {
      open.reset();
      for (const c of counts.values()) open.set({ kind: c.kind, severity: c.severity }, c.count);
    },
    decisionLatency: (seconds) => latency.observe(Math.max(0, seconds)),
    modelLoaded(model: ModelSummary, previous: ModelSummary | null) {
      if (previous !== null) {
        modelInfo.remove({ model: previous.modelKey, version: String(previous.version), kind: previous.kind, backend: previous.backend, type: previous.sensorType });
      }
      modelInfo.set({ model: model.modelKey, version: String(model.version), kind: model.kind, backend: model.backend, type: model.sensorType }, 1);
      modelCreated.set({ model: model.modelKey }, model.createdAt / 1000);
    },
    nonFiniteScore: (model, type) => nonFinite.inc({ model, type: type ?? 'default' }),
    modelRefused: (model, code) => refused.inc({ model, code }),
    windowsWaitingForModel(counts) {
      // Keys that waited before (or were declared) go back to 0; their series stay.
      for (const labels of waitingLabels.values()) waitingForModel.set(labels, 0);
      for (const c of counts) {
        const labels = { model: c.model, type: c.type };
        waitingLabels.set(`${c.model}\u0000${c.type}`, labels);
        waitingForModel.set(labels, c.count);
      }
    },
    deadLettered: (reason, count) => deadLetters.inc({ stage: 'scorer', reason }, count),
    verdictApplied: (verdict, sensorId) => verdicts.inc({ verdict, sensor: exportable(sensorId) === undefined ? 'other' : sensorId }),
    consumerLag: (group, topic, partition, value) => lag.set({ group, topic, partition: String(partition) }, Math.max(0, value)),
  };
}
