// Expressions that are empty in a healthy pipeline until something happens:
// an alert opens, a record is dead-lettered, a service stops, a threshold is
// crossed. The real-Prometheus test (test/integration/deploy) provokes each
// case and then requires data; every other expression must return data as
// soon as the pipeline scores. docs/operate.md lists the same cases.
import type { Expression } from './provisioning.ts';

export type Provocation =
  /** the test sends a sensor with readings far from anything trained on */
  | { kind: 'anomaly' }
  /** the test sends a sensor whose channels never change (flatline) */
  | { kind: 'fault' }
  /** the test sends a record that is not a reading */
  | { kind: 'dead-letter' }
  /** the test stops the pipeline, so scrapes fail */
  | { kind: 'stop' }
  /**
   * The threshold cannot be crossed in a short test (a day-old model, 10 000
   * records of lag): the test runs the expression with this literal replaced,
   * which proves names, labels and aggregation return data once it is crossed.
   */
  | { kind: 'lowered-threshold'; from: string; to: string }
  /**
   * A job that has left service discovery: the test runs the expression with
   * the job name `from` replaced by `to`, one no Prometheus scrapes.
   */
  | { kind: 'absent-job'; from: string; to: string };

export interface DataDependentCase {
  /** A piece of the expression text that identifies it. */
  contains: string;
  /** Only expressions from these sources (default: any). */
  sources?: Expression['source'][];
  why: string;
  provoke: Provocation;
}

export const dataDependent: DataDependentCase[] = [
  {
    contains: 'sensorwatch_alert_open{kind="sensor_fault"',
    why: 'a per-sensor series exists only while a sensor fault alert is open',
    provoke: { kind: 'fault' },
  },
  {
    contains: 'sensorwatch_alert_open',
    why: 'a per-sensor series exists only while an alert is open (the "sensors alerting now" table, the per-sensor anomaly rule)',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sensorwatch_alerts_open{kind="anomaly"}',
    why: 'as above, for anomaly alerts',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sum by (kind, severity) (sensorwatch_alerts_open)',
    sources: ['prometheus-recording'],
    why: 'no series before the first alert',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sensorwatch:alerts_open:sum',
    why: 'recorded from sensorwatch_alerts_open, which has no series before the first alert',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sensorwatch:alerts_opened:increase5m',
    why: 'recorded from sensorwatch_alerts_total{state="open"}, which has no series before the first alert',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sensorwatch_alerts_total{state="open"}',
    sources: ['prometheus-recording'],
    why: 'no series before the first alert',
    provoke: { kind: 'anomaly' },
  },
  {
    contains: 'sensorwatch_records_dead_lettered_total',
    why: 'a series per stage/reason exists only once a record has been dead-lettered',
    provoke: { kind: 'dead-letter' },
  },
  {
    contains: 'sensorwatch:records_dead_lettered:rate5m',
    why: 'recorded from sensorwatch_records_dead_lettered_total',
    provoke: { kind: 'dead-letter' },
  },
  {
    contains: 'absent(up{job="sensorwatch-scorer"})',
    why: 'returns data only when no scorer (or ingest) target exists at all',
    provoke: { kind: 'absent-job', from: 'job="sensorwatch-scorer"', to: 'job="sensorwatch-nowhere"' },
  },
  {
    contains: 'up{job="sensorwatch-scorer"} < 1',
    why: 'returns only scorers that are down',
    provoke: { kind: 'stop' },
  },
  {
    contains: 'sensorwatch_consumer_lag)) > 10000',
    why: '10 000 records behind does not happen in a short test',
    provoke: { kind: 'lowered-threshold', from: '> 10000', to: '>= 0' },
  },
  {
    contains: 'sensorwatch_model_created_timestamp_seconds) > 86400',
    why: 'a day-old model does not happen in a short test',
    provoke: { kind: 'lowered-threshold', from: '> 86400', to: '> 0' },
  },
  {
    contains: 'increase(sensorwatch_training_failures_total[1h])) > 0',
    why: 'returns only models whose training failed in the last hour',
    provoke: { kind: 'lowered-threshold', from: '> 0', to: '>= 0' },
  },
  {
    contains: 'increase(sensorwatch_models_refused_total[1h])) > 0',
    why: 'returns only models that scored NaN or had a version refused recently',
    provoke: { kind: 'lowered-threshold', from: '> 0', to: '>= 0' },
  },
];

export function dataDependentCase(e: Expression): DataDependentCase | undefined {
  return dataDependent.find((c) => e.expr.includes(c.contains) && (c.sources === undefined || c.sources.includes(e.source)));
}

/** The expression as the test runs it: a lowered threshold applied. */
export function provokedExpression(e: Expression, c: DataDependentCase | undefined): string {
  if (c?.provoke.kind === 'absent-job') {
    if (!e.expr.includes(c.provoke.from)) throw new Error(`${e.where}: expected '${e.expr}' to name ${c.provoke.from}`);
    return e.expr.replaceAll(c.provoke.from, c.provoke.to);
  }
  if (c?.provoke.kind !== 'lowered-threshold') return e.expr;
  const { from, to } = c.provoke;
  if (!e.expr.endsWith(from)) throw new Error(`${e.where}: expected '${e.expr}' to end with '${from}'`);
  return e.expr.slice(0, e.expr.length - from.length) + to;
}
