// A sensor's decided state (SensorState, decide.ts) as bytes: what the scorer
// keeps on its compacted state topic (scorer/state-store.ts) and reads back on
// start and after every rebalance. Pure. The record is JSON
// `{ format, state }`; the format goes up with every change of the shape.
//
// | format | written by | read as |
// | --- | --- | --- |
// | 1 | the shape as it grew: alert tracks, then `adaptive`, `likelihood`, `stepLikelihood`, `range`, track `resolved` (any later field may be missing) | upgraded: a missing count or list gets its initial value (`seen` 0, `recent` [], `open` null …); a sub-state without its estimate (model, moments) is dropped and seeded again on first use |
// | 2 | this build | every field checked; a missing or mistyped one is refused (`state_corrupt`); `verdict` (the last operator's verdict applied, verdict.ts) is optional: absent in states written before it, dropped by a build that predates it (which applies no verdicts) |
// | newer | a later build | refused (`state_format_unknown`): roll the scorer forward |
//
// JSON writes a NaN (an estimate not seeded yet, a channel without values) as
// null; a float field reads null back as NaN. Nothing decodes to a state whose
// counts are NaN.
import { SensorwatchError } from '../errors.ts';
import type { AdaptiveState } from './adaptive.ts';
import type { AlertTrack, SensorState } from './decide.ts';
import { faultCodes, type FaultCode } from './faults.ts';
import type { LikelihoodState, Space } from './likelihood.ts';
import type { RangeState } from './novelty.ts';

export const stateFormat = 2;

export function encodeState(state: SensorState): Buffer {
  return Buffer.from(JSON.stringify({ format: stateFormat, state }));
}

/**
 * The state in a state-topic record; null for a tombstone. Throws SensorwatchError
 * `state_corrupt` (not JSON, or a field missing or of the wrong type, named with
 * its path) or `state_format_unknown` (written by a newer build); `where` names
 * the record in the message (topic, partition, offset).
 */
export function decodeState(value: Buffer | null, where = 'state record'): SensorState | null {
  if (value === null || value.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (cause) {
    throw new SensorwatchError(`${where}: not JSON`, { code: 'state_corrupt', cause, details: { where } });
  }
  if (!isObj(parsed)) throw corrupt({ where, upgrade: false }, `is ${describe(parsed)}, expected an object { format, state }`);
  const { format, state } = parsed;
  if (format === 1 || format === stateFormat) return readState(state, { where, upgrade: format === 1 });
  if (typeof format === 'number' && Number.isInteger(format) && format > stateFormat) {
    throw new SensorwatchError(`${where}: state format ${format} was written by a newer scorer; this build reads formats 1 to ${stateFormat}`, {
      code: 'state_format_unknown',
      details: { where, format },
    });
  }
  throw corrupt({ where, upgrade: false }, `format is ${describe(format)}, expected 1 to ${stateFormat}`);
}

interface Ctx {
  where: string;
  /** A format 1 record: missing counts get their initial values, incomplete sub-states are dropped. */
  upgrade: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isStringOrNull = (x: unknown): x is string | null => x === null || typeof x === 'string';
const isBooleans = (x: unknown): x is boolean[] => Array.isArray(x) && x.every((b) => typeof b === 'boolean');
const describe = (x: unknown): string => (x === undefined ? 'missing' : x === null ? 'null' : Array.isArray(x) ? 'an array' : `${typeof x} ${JSON.stringify(x)}`.slice(0, 60));

class Corrupt extends SensorwatchError {}
function corrupt(ctx: Ctx, message: string): Corrupt {
  return new Corrupt(`${ctx.where}: ${message}`, { code: 'state_corrupt', details: { where: ctx.where } });
}

/** o[key] when `ok`; else its initial value when upgrading and it is missing; else a state_corrupt error naming path.key. */
function field<T>(o: Obj, key: string, path: string, ctx: Ctx, ok: (x: unknown) => x is T, expected: string, initial?: () => T): T {
  const v = o[key];
  if (ok(v)) return v;
  if (v === undefined && ctx.upgrade && initial !== undefined) return initial();
  throw corrupt(ctx, `${path}.${key} is ${describe(v)}, expected ${expected}`);
}

/** A float that may be NaN (written as null). */
function float(o: Obj, key: string, path: string, ctx: Ctx): number {
  const v = field(o, key, path, ctx, (x): x is number | null => x === null || typeof x === 'number', 'a number');
  return v ?? Number.NaN;
}

function floats(o: Obj, key: string, path: string, ctx: Ctx, initial?: () => number[]): number[] {
  const ok = (x: unknown): x is (number | null)[] => Array.isArray(x) && x.every((e) => e === null || typeof e === 'number');
  return field(o, key, path, ctx, ok, 'a list of numbers', initial).map((e) => e ?? Number.NaN);
}

function object(v: unknown, path: string, ctx: Ctx): Obj {
  if (!isObj(v)) throw corrupt(ctx, `${path} is ${describe(v)}, expected an object`);
  return v;
}

/** An optional sub-state: absent stays absent; in a format 1 record one that cannot be read is dropped (seeded again on first use). */
function optional<T>(o: Obj, key: string, ctx: Ctx, read: (v: unknown, path: string) => T): T | undefined {
  if (o[key] === undefined) return undefined;
  try {
    return read(o[key], `state.${key}`);
  } catch (error) {
    if (ctx.upgrade && error instanceof Corrupt) return undefined;
    throw error;
  }
}

function readState(raw: unknown, ctx: Ctx): SensorState {
  const o = object(raw, 'state', ctx);
  const state: SensorState = {
    sensorId: field(o, 'sensorId', 'state', ctx, isString, 'a string'),
    lastSeq: field(o, 'lastSeq', 'state', ctx, isCount, 'a number'),
    lastEnd: field(o, 'lastEnd', 'state', ctx, isCount, 'a number', () => -1),
    anomaly: readTrack(o['anomaly'], 'state.anomaly', ctx),
    fault: readTrack(o['fault'], 'state.fault', ctx),
  };
  const adaptive = optional(o, 'adaptive', ctx, (v, p) => readAdaptive(v, p, ctx));
  const likelihood = optional(o, 'likelihood', ctx, (v, p) => readLikelihood(v, p, ctx));
  const stepLikelihood = optional(o, 'stepLikelihood', ctx, (v, p) => readLikelihood(v, p, ctx));
  const range = optional(o, 'range', ctx, (v, p) => readRange(v, p, ctx));
  if (adaptive !== undefined) state.adaptive = adaptive;
  if (likelihood !== undefined) state.likelihood = likelihood;
  if (stepLikelihood !== undefined) state.stepLikelihood = stepLikelihood;
  if (range !== undefined) state.range = range;
  const verdict = optional(o, 'verdict', ctx, (v, p) => readVerdictPosition(v, p, ctx));
  if (verdict !== undefined) state.verdict = verdict;
  if (isString(o['sensorType'])) state.sensorType = o['sensorType'];
  return state;
}

type OpenAlert = NonNullable<AlertTrack['open']>;
const isFault = (x: unknown): x is FaultCode | null => x === null || faultCodes.includes(x as FaultCode);

function readOpen(v: unknown, path: string, ctx: Ctx): OpenAlert {
  const o = object(v, path, ctx);
  const open: OpenAlert = {
    alertId: field(o, 'alertId', path, ctx, isString, 'a string'),
    severity: field(o, 'severity', path, ctx, isString, 'a string'),
    fault: field(o, 'fault', path, ctx, isFault, `null or one of ${faultCodes.join(', ')}`),
  };
  // The alert it follows (absent in states persisted before `follows` existed): kept across a restart.
  if (o['follows'] !== undefined) open.follows = field(o, 'follows', path, ctx, isStringOrNull, 'a string or null');
  return open;
}

function readTrack(v: unknown, path: string, ctx: Ctx): AlertTrack {
  const o = object(v, path, ctx);
  const open = o['open'] === undefined && ctx.upgrade ? null : o['open'] === null ? null : readOpen(o['open'], `${path}.open`, ctx);
  const track: AlertTrack = {
    recent: field(o, 'recent', path, ctx, isBooleans, 'a list of booleans', () => []),
    open,
    below: field(o, 'below', path, ctx, isCount, 'a number', () => 0),
    calm: field(o, 'calm', path, ctx, isCount, 'a number', () => 0),
    calmBand: field(o, 'calmBand', path, ctx, isStringOrNull, 'a string or null', () => null),
  };
  if (o['resolved'] !== undefined) {
    const r = object(o['resolved'], `${path}.resolved`, ctx);
    track.resolved = { alert: readOpen(r['alert'], `${path}.resolved.alert`, ctx), since: field(r, 'since', `${path}.resolved`, ctx, isCount, 'a number') };
  }
  return track;
}

function readAdaptive(v: unknown, path: string, ctx: Ctx): AdaptiveState {
  const o = object(v, path, ctx);
  return {
    model: field(o, 'model', path, ctx, isString, 'a string'),
    mean: float(o, 'mean', path, ctx),
    variance: float(o, 'variance', path, ctx),
    above: field(o, 'above', path, ctx, isCount, 'a number', () => 0),
  };
}

const spaces: readonly Space[] = ['log', 'cbrt'];

function readLikelihood(v: unknown, path: string, ctx: Ctx): LikelihoodState {
  const o = object(v, path, ctx);
  const state: LikelihoodState = {
    model: field(o, 'model', path, ctx, isString, 'a string'),
    seedMean: float(o, 'seedMean', path, ctx),
    mean: float(o, 'mean', path, ctx),
    variance: float(o, 'variance', path, ctx),
    n: field(o, 'n', path, ctx, isCount, 'a number'),
    recent: floats(o, 'recent', path, ctx, () => []),
    excluded: field(o, 'excluded', path, ctx, isCount, 'a number', () => 0),
    seen: field(o, 'seen', path, ctx, isCount, 'a number', () => 0),
  };
  // Absent space: moments of m itself (states written before the key).
  if (o['space'] !== undefined) state.space = field(o, 'space', path, ctx, (x): x is Space => spaces.includes(x as Space), `one of ${spaces.join(', ')}`);
  if (o['pending'] !== undefined) {
    const p = object(o['pending'], `${path}.pending`, ctx);
    state.pending = { n: field(p, 'n', `${path}.pending`, ctx, isCount, 'a number'), mean: float(p, 'mean', `${path}.pending`, ctx), m2: float(p, 'm2', `${path}.pending`, ctx) };
  }
  if (o['quiet'] !== undefined) state.quiet = field(o, 'quiet', path, ctx, isCount, 'a number');
  if (o['since'] !== undefined) state.since = float(o, 'since', path, ctx);
  return state;
}

function readRange(v: unknown, path: string, ctx: Ctx): RangeState {
  const o = object(v, path, ctx);
  return { model: field(o, 'model', path, ctx, isString, 'a string'), low: floats(o, 'low', path, ctx), high: floats(o, 'high', path, ctx) };
}

/** Where the last verdict applied lies on the verdicts topic (verdict.ts). */
function readVerdictPosition(v: unknown, path: string, ctx: Ctx): { partition: number; offset: string } {
  const o = object(v, path, ctx);
  const isOffset = (x: unknown): x is string => typeof x === 'string' && /^\d+$/.test(x);
  return { partition: field(o, 'partition', path, ctx, isCount, 'a number'), offset: field(o, 'offset', path, ctx, isOffset, 'a string of digits') };
}
