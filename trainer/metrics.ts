// The trainer's metrics (names are a contract with deploy/grafana and
// deploy/prometheus: docs/architecture.md). One registry, passed in.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { rejectReasons } from '../common/training/gate.ts';

export interface TrainerMetrics {
  trainingDuration: Histogram<'model'>;
  lastSuccess: Gauge<'model'>;
  valLoss: Gauge<'model'>;
  failures: Counter<'model'>;
  promoted: Counter<'model'>;
  rejected: Counter<'model' | 'reason'>;
  backendInfo: Gauge<'backend'>;
  tensors: Gauge;
}

/**
 * Every counter at 0 for each known model key (and reject reason) before the
 * first event: a series that first appears at 1 gives increase() = 0, and a
 * dashboard querying it shows "no data" instead of 0.
 */
export function declareModelKeys(metrics: TrainerMetrics, modelKeys: readonly string[]): void {
  for (const model of modelKeys) {
    metrics.failures.inc({ model }, 0);
    metrics.promoted.inc({ model }, 0);
    for (const reason of rejectReasons) metrics.rejected.inc({ model, reason }, 0);
  }
}

export function createTrainerMetrics(registry: Registry, tensorCount: () => number): TrainerMetrics {
  return {
    trainingDuration: new Histogram({
      name: 'sensorwatch_training_duration_seconds',
      help: 'Wall time of one training run of a model key (data collection excluded).',
      labelNames: ['model'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'sensorwatch_training_last_success_timestamp_seconds',
      help: 'When a training run of the model key last completed (promoted or not), seconds since the epoch.',
      labelNames: ['model'],
      registers: [registry],
    }),
    valLoss: new Gauge({
      name: 'sensorwatch_training_val_loss',
      help: 'Validation loss (held-out MSE, normalised units squared) of the latest trained candidate.',
      labelNames: ['model'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'sensorwatch_training_failures_total',
      help: 'Training runs that failed with an error.',
      labelNames: ['model'],
      registers: [registry],
    }),
    promoted: new Counter({
      name: 'sensorwatch_models_promoted_total',
      help: 'Candidates promoted and published.',
      labelNames: ['model'],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'sensorwatch_models_rejected_total',
      help: 'Runs that kept the current model: worse_than_current, not_enough_windows, training_failed.',
      labelNames: ['model', 'reason'],
      registers: [registry],
    }),
    // Shared with the scorer: in the demo both run on one registry, so reuse theirs.
    backendInfo: shared(registry, 'sensorwatch_backend_info', () => new Gauge({
      name: 'sensorwatch_backend_info',
      help: 'The TensorFlow.js backend in use (value 1).',
      labelNames: ['backend'],
      registers: [registry],
    })),
    tensors: shared(registry, 'sensorwatch_tensors', () => new Gauge({
      name: 'sensorwatch_tensors',
      help: 'Live TensorFlow.js tensors in this process.',
      registers: [registry],
      collect() {
        this.set(tensorCount());
      },
    })),
  };
}

function shared<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
