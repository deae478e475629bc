// When a lasting change becomes the new normal: one setting, `scorer.newNormalAfter`,
// a duration in event time ('30m', '6h', '3d') or 'never'. Pure.
//
// An excursion is a run of windows the likelihood keeps out of its estimate
// (they score at or above thresholds.likelihood.learnBelowScore; short dips do
// not end it, see likelihood.ts). Two ways out:
// - The signals return to their pre-excursion behaviour: the score falls below
//   scorer.hysteresis.releaseScore and the alert resolves at once (reason null),
//   whatever newNormalAfter says; the excursion is learnt later, as one that is
//   over (learnAfterQuietSamples).
// - The change keeps going for newNormalAfter (event time from its first kept-out
//   window): it is the new normal. The likelihood's estimates (both of them, with
//   thresholds.likelihood.error `both`) move to the current level, the open alert
//   resolves with reason `new_normal`, and the trainer takes the windows from
//   then on into training (windows of an alert are kept out of training for at
//   most newNormalAfter from its opening).
// 'never': an excursion is never learnt while it lasts; its alert stays open
// until the signals return.
import type { Config } from '../config/types.ts';
import { typeConfigOrUndefined, typeOf } from '../config/sensor-types.ts';
import { SensorwatchError } from '../errors.ts';

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The key, for messages. */
export const newNormalKey = 'scorer.newNormalAfter';

/** scorer.newNormalAfter in ms; Infinity for 'never'. Throws config_invalid naming the key and the forms it takes. */
export function parseNewNormalAfter(text: string, key: string = newNormalKey): number {
  if (text.trim() === 'never') return Number.POSITIVE_INFINITY;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/.exec(text);
  const ms = m === null ? Number.NaN : Number(m[1]) * (units[m[2] ?? ''] ?? Number.NaN);
  if (!(ms > 0)) {
    throw new SensorwatchError(`${key} '${text}' is not a duration: use a positive number with s, m, h or d ('30m', '6h', '3d'), or 'never'`, {
      code: 'config_invalid',
    });
  }
  return ms;
}

/** True when an excursion that began at `since` (event ms) has lasted newNormalAfter by `now`. */
export function isNewNormal(since: number | undefined, now: number, newNormalAfterMs: number): boolean {
  return since !== undefined && Number.isFinite(newNormalAfterMs) && Number.isFinite(now) && now - since >= newNormalAfterMs;
}

/**
 * A sensor's newNormalAfter in ms: its `scorer.perSensor.<id>.newNormalAfter`, else its type's
 * (or the top level's) `scorer.newNormalAfter`. What the trainer's exclusion and the scorer's
 * policy (policy.ts) both use.
 */
export function newNormalAfterMsOf(config: Config, sensorId: string): number {
  const type = typeOf(config, sensorId);
  const own = type === undefined ? config : (typeConfigOrUndefined(config, type) ?? config);
  const override = own.scorer.perSensor[sensorId]?.newNormalAfter;
  return override === undefined ? parseNewNormalAfter(own.scorer.newNormalAfter) : parseNewNormalAfter(override, `scorer.perSensor.${sensorId}.newNormalAfter`);
}
