// `sensorwatch alerts mark`: an operator's verdict on an alert, or on a
// sensor's alerts in a time range, published to topics.verdicts (key: the
// sensor id) as an AlertVerdict (schemas/AlertVerdict.avsc). The alerts topic
// is read first to find the sensor and the span of the alert(s) judged; the
// scorer and the trainer do the rest (docs/operate.md, "Operators' verdicts").
import { randomUUID } from 'node:crypto';
import { decodeAlert, encodeVerdict } from '../common/codec/records.ts';
import { parseFlagsAndWords } from '../common/config/flags.ts';
import { SensorwatchError } from '../common/errors.ts';
import { createIdempotentProducer, createKafka, ensureTopics, readTopic } from '../common/kafka/index.ts';
import { loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';
import { verdictKinds, type AlertVerdict, type AnomalyAlert, type VerdictKind } from '../common/types.ts';

/** The flag's spelling of each verdict (false-positive …) and the record's (false_positive …). */
const spelled = verdictKinds.map((k) => k.replace('_', '-'));

export const markUsage = [
  'usage: sensorwatch alerts mark ALERT_ID --as VERDICT [--note TEXT] [--config FILE] [--brokers LIST]',
  '       sensorwatch alerts mark --sensor ID --from TIME --to TIME --as VERDICT [--note TEXT] …',
  '',
  "An operator's verdict, published to topics.verdicts; the scorer applies it before the",
  "sensor's next window and the trainer at its next round (docs/operate.md).",
  '',
  `  --as VERDICT   ${spelled.join(' | ')}`,
  '                 false-positive, new-normal: the open alert resolves (reason verdict_false_positive /',
  "                 verdict_new_normal), the sensor's estimate learns its windows, the next training takes them in;",
  '                 confirmed: the alert stays open and its windows never go into training.',
  '  --sensor ID --from TIME --to TIME   every anomaly alert of the sensor overlapping the range, and the',
  '                 range itself (TIME: ISO 8601, a missing zone is UTC, or ms since the epoch)',
  '  --note TEXT    kept with the verdict',
  '',
  'Prints the verdict published as one JSON line.',
  '',
].join('\n');

export type MarkTarget = { alertId: string } | { sensorId: string; from: number; to: number };

export interface MarkOptions {
  target: MarkTarget;
  verdict: VerdictKind;
  note: string | null;
  config?: string;
  brokers?: string;
}

export type ParsedMark = { ok: true; options: MarkOptions } | { ok: false; help: boolean; message: string };

function parseTimeFlag(name: string, text: string | undefined): number {
  if (text === undefined || text.trim() === '') throw new Error(`--${name} needs a time (ISO 8601 or ms since the epoch)`);
  const t = text.trim();
  const ms = /^\d+$/.test(t) ? Number(t) : Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(t) || !t.includes('T') ? t : `${t}Z`);
  if (!Number.isFinite(ms)) throw new Error(`--${name} '${text}' is not a time (ISO 8601, e.g. 2026-12-04T13:00:00Z, or ms since the epoch)`);
  return ms;
}

/** argv after `mark`. */
export function parseMarkArgs(argv: readonly string[]): ParsedMark {
  try {
    const { values, words } = parseFlagsAndWords(argv, {
      as: { type: 'string' },
      note: { type: 'string' },
      sensor: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      config: { type: 'string' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) return { ok: false, help: true, message: '' };
    if (values.as === undefined) throw new Error(`--as is required: ${spelled.join(' | ')}`);
    const verdict = verdictKinds.find((k) => k === values.as?.replace(/-/g, '_'));
    if (verdict === undefined) throw new Error(`--as must be one of ${spelled.join(', ')}, got '${values.as}'`);
    const ranged = values.sensor !== undefined || values.from !== undefined || values.to !== undefined;
    let target: MarkTarget;
    if (words.length > 1) throw new Error(`unexpected argument '${words[1]}'`);
    if (words.length === 1 && ranged) throw new Error('give an ALERT_ID or --sensor with --from and --to, not both');
    if (words.length === 1) target = { alertId: words[0] as string };
    else if (!ranged) throw new Error('give an ALERT_ID, or --sensor ID --from TIME --to TIME');
    else {
      if (values.sensor === undefined || values.sensor === '') throw new Error('--sensor needs a sensor id (with --from and --to)');
      const from = parseTimeFlag('from', values.from);
      const to = parseTimeFlag('to', values.to);
      if (to < from) throw new Error(`--to (${new Date(to).toISOString()}) is before --from (${new Date(from).toISOString()})`);
      target = { sensorId: values.sensor, from, to };
    }
    return {
      ok: true,
      options: {
        target,
        verdict,
        note: values.note ?? null,
        ...(values.config === undefined ? {} : { config: values.config }),
        ...(values.brokers === undefined ? {} : { brokers: values.brokers }),
      },
    };
  } catch (err) {
    return { ok: false, help: false, message: (err as Error).message };
  }
}

/**
 * The verdict for a target, from the alert events on the alerts topic: an alert id names its
 * sensor and span (from its opening window's start; to its resolving window's end, null while open);
 * a range names the sensor's anomaly alerts overlapping it. Throws alert_not_found.
 */
export function verdictFor(target: MarkTarget, alerts: readonly AnomalyAlert[], given: { verdict: VerdictKind; note: string | null; now: number; id: string }): AlertVerdict {
  const base = { verdictId: given.id, verdict: given.verdict, note: given.note, markedAt: given.now };
  if ('alertId' in target) {
    const events = alerts.filter((a) => a.alertId === target.alertId);
    const first = events[0];
    if (first === undefined) throw new SensorwatchError(`alert ${target.alertId} is not on the alerts topic (see 'sensorwatch alerts tail --from-beginning')`, { code: 'alert_not_found', details: { alertId: target.alertId } });
    if (first.kind !== 'anomaly') throw new SensorwatchError(`alert ${target.alertId} is a sensor_fault (${first.fault ?? 'fault'}): verdicts judge anomaly alerts`, { code: 'alert_not_found', details: { alertId: target.alertId } });
    const resolved = events.find((a) => a.state === 'resolve');
    return { ...base, sensorId: first.sensorId, alertIds: [target.alertId], from: Math.min(...events.map((a) => a.windowStart)), to: resolved?.windowEnd ?? null };
  }
  const spans = new Map<string, { from: number; to: number }>();
  for (const a of alerts) {
    if (a.sensorId !== target.sensorId || a.kind !== 'anomaly') continue;
    const s = spans.get(a.alertId) ?? { from: a.windowStart, to: Number.POSITIVE_INFINITY };
    s.from = Math.min(s.from, a.windowStart);
    if (a.state === 'resolve') s.to = a.windowEnd;
    spans.set(a.alertId, s);
  }
  const alertIds = [...spans].filter(([, s]) => s.from <= target.to && s.to >= target.from).map(([id]) => id);
  return { ...base, sensorId: target.sensorId, alertIds, from: target.from, to: target.to };
}

export async function runMark(argv: string[]): Promise<number> {
  const parsed = parseMarkArgs(argv);
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(markUsage);
      return 0;
    }
    process.stderr.write(`sensorwatch alerts mark: ${parsed.message}\n\n${markUsage}`);
    return 2;
  }
  const { options } = parsed;
  try {
    const { config, log } = loadCliConfig(options.config);
    const kafka = createKafka({ ...config.kafka, brokers: resolveBrokers(config, options.brokers) }, log, { clientSuffix: 'alerts-mark' });
    const alerts = await readAlerts(kafka, config.topics.alerts);
    const verdict = verdictFor(options.target, alerts, { verdict: options.verdict, note: options.note, now: Date.now(), id: randomUUID() });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ name: config.topics.verdicts, partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor }]);
    } finally {
      await admin.disconnect();
    }
    const producer = createIdempotentProducer(kafka);
    await producer.connect();
    try {
      await producer.send({ topic: config.topics.verdicts, acks: -1, messages: [{ key: verdict.sensorId, value: encodeVerdict(verdict) }] });
    } finally {
      await producer.disconnect();
    }
    process.stdout.write(`${JSON.stringify(verdict)}\n`);
    if (verdict.alertIds.length === 0) process.stderr.write(`sensorwatch alerts mark: no anomaly alert of ${verdict.sensorId} overlaps the range; the verdict still rules the range's windows in training\n`);
    return 0;
  } catch (err) {
    return reportCliError('alerts mark', err);
  }
}

async function readAlerts(kafka: ReturnType<typeof createKafka>, topic: string): Promise<AnomalyAlert[]> {
  const alerts: AnomalyAlert[] = [];
  let read;
  try {
    read = await readTopic({
      client: kafka,
      topic,
      groupId: `sensorwatch.alerts-mark.${randomUUID()}`,
      deleteGroup: true,
      onRecords: (_partition, records) => {
        for (const m of records) {
          try {
            alerts.push(decodeAlert(m.value));
          } catch {
            // An unreadable alert event cannot be the one judged: `alerts tail` reports those.
          }
        }
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'topic_not_found') throw error;
    throw new SensorwatchError(`topic '${topic}' (topics.alerts) does not exist: no alert was published yet, or --config / --brokers name another cluster`, { code: 'topic_not_found', details: { topic }, cause: error });
  }
  try {
    await read.caughtUp;
  } finally {
    await read.stop();
  }
  return alerts;
}
