// The ingest service's Prometheus metrics (names are a contract with
// deploy/grafana and deploy/prometheus; see docs/architecture.md). The registry
// is passed in; metrics another service also exports (dead letters, consumer
// lag) are reused when the demo's shared registry already has them.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadingFormat } from '../common/codec/headers.ts';

export interface IngestMetrics {
  ingested(format: ReadingFormat, count: number): void;
  deadLettered(reason: string, count: number): void;
  windowsPublished(count: number): void;
  late(count: number): void;
  duplicates(count: number): void;
  consumerLag(group: string, topic: string, partition: number, lag: number): void;
  /** A window in progress dropped at a gap; sensor: its id, or '_other' past the labelled ones (resets.ts). */
  windowResets(sensor: string, count: number): void;
  /** A publish request sent again after a failure that can pass (broker away). */
  publishRetries(count: number): void;
}

function counter<L extends string>(r: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (r.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames: [...labelNames], registers: [r] });
}

function gauge<L extends string>(r: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return (r.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [r] });
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const ingested = counter(registry, 'sensorwatch_readings_ingested_total', 'Readings decoded and validated, by wire format.', ['format']);
  const dead = counter(registry, 'sensorwatch_records_dead_lettered_total', 'Records sent to the dead-letter topic, by stage and reason.', ['stage', 'reason']);
  const windows = counter(registry, 'sensorwatch_windows_published_total', 'Signal windows published to the windows topic (acknowledged by the broker).', []);
  const late = counter(registry, 'sensorwatch_readings_late_total', 'Readings that arrived after their place in the window sequence had passed (dead-lettered as late).', []);
  const dups = counter(registry, 'sensorwatch_readings_duplicate_total', 'Readings dropped as duplicates (same sensor and timestamp; conflicting values included).', []);
  const lag = gauge(registry, 'sensorwatch_consumer_lag', 'Records not yet consumed (log end offset minus committed offset).', ['group', 'topic', 'partition']);
  const resets = counter(registry, 'sensorwatch_window_resets_total', 'Windows in progress dropped at a gap (gapPolicy reset or a gap over windowing.maxGapSamples), by sensor (the first 100 sensors; later ones as _other).', ['sensor']);
  const retries = counter(registry, 'sensorwatch_publish_retries_total', 'Publish requests sent again after a failure retrying can fix (broker unreachable, leader election); order is kept.', ['service']);
  retries.inc({ service: 'ingest' }, 0);
  // Pre-create the label sets that are fixed up front, so the series exist at 0.
  ingested.inc({ format: 'avro' }, 0);
  ingested.inc({ format: 'json' }, 0);
  windows.inc(0);
  late.inc(0);
  dups.inc(0);
  return {
    ingested: (format, count) => ingested.inc({ format }, count),
    deadLettered: (reason, count) => dead.inc({ stage: 'ingest', reason }, count),
    windowsPublished: (count) => windows.inc(count),
    late: (count) => late.inc(count),
    duplicates: (count) => dups.inc(count),
    consumerLag: (group, topic, partition, value) => lag.set({ group, topic, partition: String(partition) }, value),
    windowResets: (sensor, count) => resets.inc({ sensor }, count),
    publishRetries: (count) => retries.inc({ service: 'ingest' }, count),
  };
}
