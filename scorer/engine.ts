// The scoring use-case, one batch at a time: swap in staged models, check and
// score the windows, judge each (common/decision/judge.ts: policy, fault rules,
// new extremes, decision, channel terms), publish the alerts
// with the new sensor states and wait for the broker's acknowledgement, and
// only then make the new states current. A batch that fails leaves the states
// untouched, so retrying it (or replaying it after a crash) decides the same.
//
// A window whose model key has no model yet waits in memory (uncommitted: the
// service commits its partition no further than the oldest waiting window,
// oldestWaiting()) while the other keys' windows are decided; it is decided,
// in its sensor's order, in the first batch after its model arrives (a model's
// arrival also starts one). Past maxWaitingWindows, every batch waits for one
// of the missing models, as all did before: memory stays bounded.
import type { Config } from '../common/config/types.ts';
import type { Logger } from '../common/log.ts';
import type { LoadedModel } from '../common/model/artifact.ts';
import { scoreWindows, type WindowScore } from '../common/model/score.ts';
import type { AnomalyAlert, DeadLetter, DeadLetterReason, SignalWindow } from '../common/types.ts';
import { alreadyDecided, decideSilence, initialSensorState, type SensorState } from '../common/decision/decide.ts';
import { judgeWindow } from '../common/decision/judge.ts';
import type { ModelShelf } from './models.ts';
import { policyFor } from '../common/decision/policy.ts';
import { implicitTypeName, isImplicit, isTypeName, typeConfig, typeOf } from '../common/config/sensor-types.ts';
import { modelKeyOf, typeModelKey, windowTypeProblem } from '../common/model/keys.ts';
import type { AlertPublisher, Clock, DeadLetterSink, ModelSummary, ScorerMetrics } from './ports.ts';
import type { VerdictSource } from './verdicts.ts';

/** Where a record came from: enough to dead-letter it with its original bytes. */
export interface RecordSource {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
}

export type BatchItem = { source: RecordSource; window: SignalWindow } | { source: RecordSource; problem: { reason: DeadLetterReason; message: string } };

export interface EngineOptions {
  /** Read once per batch: a reloaded config applies from the next batch on. */
  config: () => Config;
  models: ModelShelf;
  publisher: AlertPublisher;
  deadLetters: DeadLetterSink;
  metrics: ScorerMetrics;
  clock: Clock;
  log: Logger;
  /** Name of the tfjs backend in use (for sensorwatch_model_info). */
  backend: () => string;
  /** Operators' verdicts (verdicts.ts), applied before a sensor's next window; absent: none. */
  verdicts?: VerdictSource;
  /** Most windows held for want of their key's model before batches wait for a model; default maxWaitingWindows. */
  maxWaitingWindows?: number;
  /**
   * Runs a decided batch's per-window metrics and logs (its effects are
   * acknowledged, its states current). Default: at once, before handle()
   * resolves. The service defers them (deferReport: setImmediate), so the
   * batch resolves, and the consumer's next fetch goes out, first; the
   * decision latency is measured at the acknowledgement either way.
   */
  afterBatch?: (report: () => void) => void;
}

/** EngineOptions.afterBatch for the service: the report on the next turn of the event loop, its errors logged. */
export function deferReport(log: Logger): (report: () => void) => void {
  return (report) => {
    setImmediate(() => {
      try {
        report();
      } catch (error) {
        log.warn('could not record a batch\'s metrics', { error });
      }
    });
  };
}

/** Windows held in memory for want of their key's model, at most, before every batch waits for a model. */
export const maxWaitingWindows = 20_000;

export interface Engine {
  handle(items: readonly BatchItem[]): Promise<void[]>;
  /**
   * Sensors that sent no window for scorer.silentAfterMs: opens their `sensor_fault` `silent`
   * (decideSilence), published with the new states like a batch. Runs between batches, never
   * during one. Returns the alerts published.
   */
  silence(sensors: readonly { sensorId: string; lastSeenAt: number }[]): Promise<AnomalyAlert[]>;
  /**
   * Replaces all sensor states (after loading them from the state topic). Windows waiting for a
   * model are dropped: they were never committed, so the consumer delivers them again after the
   * (re)join that reloads the states, to whichever member owns their partition now.
   */
  restore(states: Iterable<SensorState>): void;
  states(): ReadonlyMap<string, SensorState>;
  /** The offset of the oldest window of this partition waiting for its model (commit no further), or undefined. */
  oldestWaiting(topic: string, partition: number): string | undefined;
}

type WindowItem = { source: RecordSource; window: SignalWindow };

/** A window held for want of its key's model. */
interface Waiting {
  item: WindowItem;
  modelKey: string;
  type: string;
}

const sourceId = (s: RecordSource): string => `${s.topic}\u0000${s.partition}\u0000${s.offset}`;

interface Scored extends WindowScore {
  window: SignalWindow;
  model: LoadedModel;
}

export function createEngine(options: EngineOptions): Engine {
  const states = new Map<string, SensorState>();
  const { models, metrics, log } = options;
  const waitLimit = Math.max(1, options.maxWaitingWindows ?? maxWaitingWindows);
  const afterBatch = options.afterBatch ?? ((report: () => void): void => report());
  // Windows waiting for their key's model, in arrival order; restore() starts a new generation and drops them.
  let waiting: Waiting[] = [];
  let waitingIds = new Set<string>();
  let generation = 0;
  // Model keys with a wake-up registered for their model's arrival.
  const wakeups = new Set<string>();
  const summary = (m: LoadedModel): ModelSummary => ({ modelKey: m.meta.modelKey, version: m.meta.version, kind: m.meta.kind, backend: options.backend(), createdAt: m.meta.createdAt, sensorType: m.meta.sensorType ?? implicitTypeName });

  const swapModels = (): void => {
    for (const { next, previous } of models.applyStaged()) {
      metrics.modelLoaded(summary(next), previous === null ? null : summary(previous));
      log.info('model swapped in', {
        modelKey: next.meta.modelKey,
        from: previous === null ? null : previous.meta.version,
        to: next.meta.version,
        threshold: next.meta.thresholds.model.value,
      });
    }
  };

  const deadLetter = (source: RecordSource, reason: DeadLetterReason, message: string): DeadLetter => ({
    sourceTopic: source.topic,
    partition: source.partition,
    offset: source.offset,
    stage: 'scorer',
    reason,
    message,
    key: source.key,
    value: source.value,
    timestamp: options.clock.now(),
  });

  // Batches and silence decisions run one at a time: each starts from the states the last one left.
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = busy.then(work, work);
    busy = run.catch(() => undefined);
    return run;
  };

  async function silence(sensors: readonly { sensorId: string; lastSeenAt: number }[]): Promise<AnomalyAlert[]> {
    const config = options.config();
    const now = options.clock.now();
    const next = new Map<string, SensorState>();
    const alerts: AnomalyAlert[] = [];
    for (const { sensorId, lastSeenAt } of sensors) {
      const before = states.get(sensorId);
      if (before === undefined) continue;
      const type = before.sensorType ?? typeOf(config, sensorId) ?? 'default';
      const typed = isImplicit(config) || !isTypeName(config, type) ? config : typeConfig(config, type);
      const d = decideSilence(before, { sensorId, lastSeenAt, now, severities: policyFor(typed, sensorId).severities });
      if (d.events.length === 0) continue;
      if (!isImplicit(config)) for (const e of d.events) e.sensorType = type;
      next.set(sensorId, d.state);
      alerts.push(...d.events);
    }
    if (alerts.length === 0) return [];
    await options.publisher.publish(alerts, [...next.values()]);
    for (const [id, state] of next) states.set(id, state);
    for (const a of alerts) {
      metrics.alertPublished(a);
      log.warn(`alert ${a.state}`, { alertId: a.alertId, sensorId: a.sensorId, kind: a.kind, fault: a.fault, reason: a.reason });
    }
    metrics.openAlerts(openCounts(states.values()));
    return alerts;
  }

  const keysOf = (key: string, fallback: string): string[] => (key === fallback ? [key] : [key, fallback]);

  /** Once a waiting key's model arrives, a batch of no new windows decides what waited for it. */
  const wakeWhenModel = (key: string, fallback: string): void => {
    if (wakeups.has(key)) return;
    wakeups.add(key);
    models
      .whenAny(keysOf(key, fallback))
      .then(() => {
        wakeups.delete(key);
        return waiting.length === 0 ? undefined : serial(() => handle([]));
      })
      .catch((error: unknown) => log.warn('could not decide the windows that waited for a model; the next batch tries again', { error, modelKey: key }));
  };

  const reportWaiting = (): void => {
    const counts = new Map<string, { model: string; type: string; count: number }>();
    for (const w of waiting) {
      const c = counts.get(w.modelKey) ?? { model: w.modelKey, type: w.type, count: 0 };
      c.count++;
      counts.set(w.modelKey, c);
    }
    metrics.windowsWaitingForModel([...counts.values()]);
  };

  async function handle(items: readonly BatchItem[]): Promise<void[]> {
    log.debug('batch', { items: items.length, models: models.summary(), waitingForModel: waiting.length });
    if (waiting.length >= waitLimit) {
      // Bounded memory: every batch waits (uncommitted) for one of the missing models.
      const keys = [...new Set(waiting.flatMap((w) => [w.modelKey, typeModelKey(options.config(), w.type)]))];
      log.warn('too many windows wait for a model: every batch waits for one of their models', { waiting: waiting.length, limit: waitLimit, modelKeys: keys });
      await models.whenAny(keys);
    }
    swapModels();
    const config = options.config();
    const dead: DeadLetter[] = [];
    const implicit = isImplicit(config);
    const typeConfigs = (type: string): Config => (implicit ? config : typeConfig(config, type));
    const byModel = new Map<LoadedModel, { window: SignalWindow; index: number; type: string }[]>();
    let replayed = 0;
    // What waited for a model goes first (its sensors' earlier windows), then this batch.
    const generationAtStart = generation;
    const held = waiting.map((w) => w.item);
    const all: readonly BatchItem[] = held.length === 0 ? items : [...held, ...items];
    const stillWaiting: Waiting[] = [];
    const waitingSensors = new Set<string>();
    const keysWaiting = new Map<string, { fallback: string; type: string; sensorId: string }>();
    let heldStillWaiting = 0;
    for (const [index, item] of all.entries()) {
      if ('problem' in item) {
        dead.push(deadLetter(item.source, item.problem.reason, item.problem.message));
        continue;
      }
      // Sensor types: a window of a type the config does not define (any more), of a sensor now of
      // another type, or of another layout than its type's is never scored.
      // Delivered again while it waits (never after a failed batch or a rejoin: then nothing waits).
      if (index >= held.length && waitingIds.has(sourceId(item.source))) continue;
      const typeProblem = windowTypeProblem(config, item.window);
      if (typeProblem !== null) {
        dead.push(deadLetter(item.source, 'bad_window', typeProblem));
        continue;
      }
      const type = item.window.sensorType ?? 'default';
      const known = states.get(item.window.sensorId);
      // (A state judged as another type is not this window's history: the sensor moved and starts afresh.)
      if (known !== undefined && (known.sensorType === undefined || known.sensorType === type) && alreadyDecided(known, item.window)) {
        // Decided (and published) before a crash or rebalance: nothing to redo.
        replayed++;
        continue;
      }
      const key = modelKeyOf(config, type, item.window.sensorId);
      const fallback = typeModelKey(config, type);
      const model = models.forKey(key, fallback);
      if (model === undefined || waitingSensors.has(item.window.sensorId)) {
        // Never drop a window for want of a model: it waits (uncommitted) for its key's model, and so
        // do its sensor's later windows (order); the other keys' windows go on.
        stillWaiting.push({ item, modelKey: key, type });
        waitingSensors.add(item.window.sensorId);
        if (index < held.length) heldStillWaiting++;
        if (model === undefined && !keysWaiting.has(key)) keysWaiting.set(key, { fallback, type, sensorId: item.window.sensorId });
        continue;
      }
      const problem = incompatibility(item.window, model, type, implicit);
      if (problem !== null) {
        dead.push(deadLetter(item.source, 'bad_window', problem));
        continue;
      }
      const list = byModel.get(model) ?? [];
      list.push({ window: item.window, index, type });
      byModel.set(model, list);
    }

    const scored: (Scored & { index: number; type: string })[] = [];
    for (const [model, list] of byModel) {
      const typed = typeConfig(config, (list[0] as { type: string }).type);
      const results = scoreWindows(model, list.map((l) => l.window), { stepSamples: typed.windowing.hop, log });
      results.forEach((s, i) => {
        const { window, index, type } = list[i] as { window: SignalWindow; index: number; type: string };
        scored.push({ window, index, type, model, ...s });
      });
    }
    // Decide in arrival order: per sensor, that is the order of its windows.
    scored.sort((a, b) => a.index - b.index);
    const next = new Map<string, SensorState>();
    const alerts: AnomalyAlert[] = [];
    const perWindow: { s: Scored; type: string; score: number; threshold: number; error: number; contributions: number[]; faulty: boolean }[] = [];
    const verdicts: { sensorId: string; verdict: string }[] = [];
    for (const s of scored) {
      const { window, model, type } = s;
      let stored = next.get(window.sensorId) ?? states.get(window.sensorId) ?? initialSensorState(window.sensorId);
      if (!implicit && stored.sensorType !== undefined && stored.sensorType !== type) {
        log.info('sensor moved to another sensor type: it starts afresh (its state under the old type, and that type\'s model, are not applied)', { sensorId: window.sensorId, from: stored.sensorType, to: type });
        stored = initialSensorState(window.sensorId);
      }
      // Verdicts given since the sensor's last window apply first (verdicts.ts).
      const ruled = options.verdicts?.apply(stored, typeConfigs(type));
      const before = ruled?.state ?? stored;
      if (ruled !== undefined && ruled.state !== stored) {
        next.set(window.sensorId, ruled.state);
        if (!implicit) for (const e of ruled.events) e.sensorType = type;
        alerts.push(...ruled.events);
        for (const v of ruled.applied) verdicts.push({ sensorId: v.sensorId, verdict: v.verdict });
      }
      const judged = judgeWindow(before, {
        window,
        errors: s,
        model: { key: model.meta.modelKey, version: model.meta.version, calibration: model.meta, channels: model.meta.channels },
        config: typeConfigs(type),
      });
      let state = judged.state;
      if (!implicit && state.sensorType !== type) state = { ...state, sensorType: type };
      if (state !== before) next.set(window.sensorId, state);
      if (!implicit) for (const e of judged.events) e.sensorType = type;
      const units = typeConfigs(type).windowing.units;
      if (judged.events.length > 0 && Object.keys(units).length > 0) {
        // The channel's unit beside its name (windowing.units): `bearing_temp [degC]`.
        for (const e of judged.events) e.topChannels = e.topChannels.map((c) => (units[c.channel] === undefined ? c : { ...c, channel: `${c.channel} [${units[c.channel]}]` }));
      }
      alerts.push(...judged.events);
      perWindow.push({ s, type, score: judged.score, threshold: judged.threshold, error: judged.error, contributions: judged.contributions, faulty: judged.fault !== null });
    }

    await Promise.all([options.publisher.publish(alerts, [...next.values()]), dead.length > 0 ? options.deadLetters.send(dead) : Promise.resolve()]);
    for (const [id, state] of next) states.set(id, state);
    if (generation === generationAtStart) {
      const before = new Set(waiting.map((w) => w.modelKey));
      waiting = stillWaiting;
      waitingIds = new Set(stillWaiting.map((w) => sourceId(w.item.source)));
      for (const [key, k] of keysWaiting) {
        if (!before.has(key)) log.warn('no model yet for this model key: its windows wait (uncommitted) for it; the other keys\' windows go on', { modelKey: key, sensorType: k.type, sensorId: k.sensorId });
        wakeWhenModel(key, k.fallback);
      }
      const released = held.length - heldStillWaiting;
      if (released > 0) log.info('windows that waited for a model decided', { count: released, stillWaiting: waiting.length });
      reportWaiting();
    }

    // Acknowledged now: the decision latency is measured to here, wherever the report below runs.
    const now = options.clock.now();
    afterBatch(() => report({ now, replayed, size: all.length, perWindow, alerts, verdicts, dead, items: items.length }));
    return items.map(() => undefined);
  }

  /** The per-window metrics and the logs of a batch whose effects are acknowledged. */
  function report(b: {
    now: number;
    replayed: number;
    size: number;
    perWindow: { s: Scored; type: string; score: number; threshold: number; error: number; contributions: number[]; faulty: boolean }[];
    alerts: readonly AnomalyAlert[];
    verdicts: readonly { sensorId: string; verdict: string }[];
    dead: readonly DeadLetter[];
    items: number;
  }): void {
    const { now, replayed, perWindow, alerts, verdicts, dead } = b;
    if (replayed > 0) log.info('replayed windows skipped (already decided)', { count: replayed });
    metrics.batchScored({ size: b.size });
    for (const { s, type, score, threshold, error, contributions, faulty } of perWindow) {
      if (!Number.isFinite(score) && !faulty) metrics.nonFiniteScore(s.model.meta.modelKey, type);
      metrics.windowScored({
        model: s.model.meta.modelKey,
        type,
        sensorId: s.window.sensorId,
        error,
        score,
        threshold,
        contributions: s.model.meta.channels.map((channel, i) => ({ channel, contribution: contributions[i] ?? 0 })),
      });
      metrics.decisionLatency((now - s.window.end) / 1000);
    }
    for (const a of alerts) {
      metrics.alertPublished(a);
      log.info(`alert ${a.state}`, { alertId: a.alertId, sensorId: a.sensorId, kind: a.kind, severity: a.severity, score: a.score, fault: a.fault, reason: a.reason });
    }
    for (const v of verdicts) {
      metrics.verdictApplied(v.verdict, v.sensorId);
      log.info('verdict applied', v);
    }
    const reasons = new Map<string, number>();
    for (const d of dead) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
    for (const [reason, count] of reasons) metrics.deadLettered(reason, count);
    metrics.openAlerts(openCounts(states.values()));
    log.debug('batch done', { items: b.items, alerts: alerts.length, dead: dead.length, replayed });
  }

  return {
    handle: (items) => serial(() => handle(items)),
    silence: (sensors) => serial(() => silence(sensors)),
    restore(loaded) {
      states.clear();
      generation++;
      waiting = [];
      waitingIds = new Set();
      reportWaiting();
      for (const s of loaded) states.set(s.sensorId, s);
      metrics.openAlerts(openCounts(states.values()));
    },
    states: () => states,
    oldestWaiting(topic, partition) {
      let oldest: bigint | undefined;
      for (const w of waiting) {
        const s = w.item.source;
        if (s.topic !== topic || s.partition !== partition) continue;
        const o = BigInt(s.offset);
        if (oldest === undefined || o < oldest) oldest = o;
      }
      return oldest?.toString();
    },
  };
}

/** Why a window cannot go through this model, or null. With sensor types, a model of another type or channel layout never scores a window. */
export function incompatibility(window: SignalWindow, model: LoadedModel, type: string, implicit: boolean): string | null {
  const { windowLength, channels, modelKey, version } = model.meta;
  const modelType = model.meta.sensorType ?? 'default';
  if (modelType !== type) {
    return `window ${window.sensorId}#${window.seq} is of sensor type ${type}; model ${modelKey} v${version} was trained on type ${modelType}: a model is never applied to another type's windows`;
  }
  if (!implicit && (channels.length !== window.channels.length || channels.some((c, i) => c !== window.channels[i]))) {
    return `window ${window.sensorId}#${window.seq} (type ${type}) has channels ${window.channels.join(', ')}; model ${modelKey} v${version} was trained on ${channels.join(', ')}: a model is never applied to another channel layout`;
  }
  const missing = channels.filter((c) => !window.channels.includes(c));
  if (missing.length > 0) return `window ${window.sensorId}#${window.seq} lacks channel(s) ${missing.join(', ')} of model ${modelKey} v${version}`;
  if (window.channels.length === 0 || window.samples.length !== windowLength * window.channels.length) {
    return `window ${window.sensorId}#${window.seq} has ${window.samples.length} values for ${window.channels.length} channels; model ${modelKey} v${version} expects ${windowLength} samples per channel`;
  }
  return null;
}

export function openCounts(states: Iterable<SensorState>): Map<string, { kind: string; severity: string; count: number }> {
  const counts = new Map<string, { kind: string; severity: string; count: number }>();
  for (const s of states) {
    for (const [kind, track] of [['anomaly', s.anomaly], ['sensor_fault', s.fault]] as const) {
      if (track.open === null) continue;
      const key = `${kind}\u0000${track.open.severity}`;
      const c = counts.get(key) ?? { kind, severity: track.open.severity, count: 0 };
      c.count++;
      counts.set(key, c);
    }
  }
  return counts;
}
