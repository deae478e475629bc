// Checks that involve more than one key, or the entries of free-form maps
// (per-sensor overrides, model groups, channel ranges). Each message says how
// to fix the problem.
import type { Config, LikelihoodConfig } from './types.ts';
import { keyDocs } from './schema.ts';
import { checkRule } from './rules.ts';
import { shownValue } from './shown.ts';
import { parseSchedule } from './schedule.ts';
import { parseNewNormalAfter } from '../decision/new-normal.ts';
import { perSensorThresholdKeys as thresholdKeys } from './method-keys.ts';
import { topicRoles } from './enums.ts';
import { isObj } from './obj.ts';

function checkSection(path: string, value: unknown, section: string, allowed: readonly string[], errors: string[]): void {
  if (!isObj(value)) {
    errors.push(`${path}: must be a mapping of ${section} keys, got ${shownValue(path, value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!allowed.includes(k)) {
      errors.push(`${path}.${k}: unknown key; allowed here: ${allowed.join(', ')}`);
      continue;
    }
    const doc = keyDocs[`${section}.${k}`];
    const problem = doc === undefined ? null : checkRule(doc.rule, v, `${path}.${k}`);
    if (problem !== null) errors.push(`${path}.${k}: ${problem}`);
  }
}

function checkSeverities(path: string, value: unknown, errors: string[]): void {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${path}: must be a non-empty list of {name, minScore}, e.g. [{name: warning, minScore: 0.5}, {name: critical, minScore: 0.75}]`);
    return;
  }
  let last = -Infinity;
  value.forEach((s: unknown, i) => {
    if (!isObj(s) || typeof s.name !== 'string' || s.name === '' || typeof s.minScore !== 'number' || !(s.minScore > 0 && s.minScore <= 1)) {
      errors.push(`${path}[${i}]: must be {name: <non-empty string>, minScore: <number in (0, 1]>}, got ${shownValue(`${path}[${i}]`, s)}`);
      return;
    }
    if (s.minScore <= last) errors.push(`${path}[${i}]: minScore ${s.minScore} must be larger than the band before it (${last}); list bands in ascending order`);
    last = s.minScore;
  });
}

const hysteresisKeys = ['openAfter', 'openWindow', 'resolveAfter', 'releaseScore', 'holdOffSamples'] as const;
const keysUnder = (section: string): string[] => Object.keys(keyDocs).filter((k) => k.startsWith(`${section}.`)).map((k) => k.slice(section.length + 1));
const likelihoodKeys = keysUnder('thresholds.likelihood');
const noveltyKeys = keysUnder('thresholds.novelty');
const overrideKeys = 'threshold, hysteresis, severities, faults, likelihood, novelty, newNormalAfter';
const faultKeys = ['flatlineSamples', 'flatlineEpsilon', 'maxMissingFraction', 'ranges'] as const;

function checkRanges(path: string, ranges: unknown, channels: readonly string[], errors: string[]): void {
  if (!isObj(ranges)) return;
  for (const [ch, r] of Object.entries(ranges)) {
    if (!channels.includes(ch)) errors.push(`${path}.${ch}: no such channel; windowing.channels are ${channels.join(', ')}`);
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'number' || typeof r[1] !== 'number' || !(r[0] < r[1])) {
      errors.push(`${path}.${ch}: must be [min, max] with min < max, got ${shownValue(`${path}.${ch}`, r)}`);
    }
  }
}

/** The likelihood's lengths against each other, and its learning level against the bands. */
function checkLikelihood(l: LikelihoodConfig, path: string, lowestBand: number, errors: string[]): void {
  const memory = `${path}.historySamples (${l.historySamples})`;
  for (const key of ['averageSamples', 'warmupSamples'] as const) {
    if (l[key] > l.historySamples) {
      errors.push(`${path}.${key} (${l[key]}) is longer than ${memory}, the estimate's memory: the estimate would forget before it ${key === 'averageSamples' ? 'has one average' : 'ends its warm-up'}; lengthen historySamples or shorten ${key}`);
    }
  }
  if (l.learnBelowScore > lowestBand) {
    errors.push(`${path}.learnBelowScore (${l.learnBelowScore}) is above the lowest severity band (${lowestBand}): windows that open alerts would be learnt as normal; set it at or below ${lowestBand} (the release score, scorer.hysteresis.releaseScore, is the usual choice)`);
  }
}

export function checkCrossFields(c: Config): string[] {
  const errors: string[] = [];
  const w = c.windowing;
  if (w.hop > w.length) {
    errors.push(`windowing.hop (${w.hop}) is larger than windowing.length (${w.length}): samples between windows would never be scored; set hop to at most the length, e.g. ${Math.max(1, Math.floor(w.length / 4))} (a quarter of it)`);
  }
  const h = c.scorer.hysteresis;
  if (h.openAfter > h.openWindow) {
    errors.push(`scorer.hysteresis.openAfter (${h.openAfter}) is larger than scorer.hysteresis.openWindow (${h.openWindow}): an alert could never open; set openWindow ≥ openAfter (equal means N consecutive windows)`);
  }
  const lowest = Math.min(...c.scorer.severities.map((b) => b.minScore));
  if (h.releaseScore > lowest) {
    errors.push(`scorer.hysteresis.releaseScore (${h.releaseScore}) is above the lowest severity band (${lowest}): an alert would resolve while still alerting; set it at or below ${lowest}`);
  }
  if (c.kafka.sasl.mechanism !== 'none' && (c.kafka.sasl.username === '' || c.kafka.sasl.password === '')) {
    errors.push(`kafka.sasl.mechanism is '${c.kafka.sasl.mechanism}' but kafka.sasl.username or password is empty: set both (env KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD) or set the mechanism to none`);
  }
  const tls = c.kafka.tls;
  const tlsSet = Object.entries(tls).filter(([, v]) => v !== '').map(([k]) => `kafka.tls.${k}`);
  if (tlsSet.length > 0 && !c.kafka.ssl) errors.push(`${tlsSet.join(', ')} set but kafka.ssl is false: set kafka.ssl: true (env KAFKA_SSL=true) to connect with TLS, or clear them`);
  if ((tls.certFile === '') !== (tls.keyFile === '')) errors.push(`kafka.tls.certFile and kafka.tls.keyFile go together (mutual TLS): set both or neither`);
  if (c.trainer.minWindows > c.trainer.maxWindows) {
    errors.push(`trainer.minWindows (${c.trainer.minWindows}) is larger than trainer.maxWindows (${c.trainer.maxWindows}): no model could ever train; raise maxWindows or lower minWindows`);
  }
  if (c.model.kind === 'conv' && c.model.conv.kernelSize > w.length) {
    errors.push(`model.conv.kernelSize (${c.model.conv.kernelSize}) is larger than windowing.length (${w.length}): use a kernel shorter than the window`);
  }
  const downsample = 2 ** c.model.conv.filters.length;
  if (c.model.kind === 'conv' && w.length % downsample !== 0) {
    errors.push(`windowing.length (${w.length}) must be divisible by ${downsample} for the conv model (each of the ${c.model.conv.filters.length} model.conv.filters layers halves the time axis): use a length like ${Math.max(downsample, Math.round(w.length / downsample) * downsample)}, or fewer filter layers`);
  }
  if (c.model.kind !== 'conv' && c.model.hidden.some((n) => n < c.model.codeSize)) {
    errors.push(`model.hidden (${c.model.hidden.join(', ')}) has a layer narrower than model.codeSize (${c.model.codeSize}): encoder layers should narrow towards the code; raise the layer sizes or lower codeSize`);
  }
  // The trainer's own parser: what config check accepts, the trainer runs.
  try {
    parseSchedule(c.trainer.schedule);
  } catch (err) {
    errors.push((err as Error).message);
  }
  try {
    parseNewNormalAfter(c.scorer.newNormalAfter);
  } catch (err) {
    errors.push((err as Error).message);
  }
  // A sending sensor gets a window every hop samples (allowedLatenessMs delays them all alike).
  const windowPeriodMs = w.hop * w.samplePeriodMs;
  if (c.scorer.silentAfterMs !== 0 && c.scorer.silentAfterMs <= windowPeriodMs) {
    errors.push(`scorer.silentAfterMs (${c.scorer.silentAfterMs}) is not longer than the time between a sensor's windows (windowing.hop × samplePeriodMs = ${windowPeriodMs} ms): every sensor would count as silent; set it to several window periods, e.g. ${Math.max(60_000, windowPeriodMs * 10)}, or 0 to turn it off`);
  }
  checkLikelihood(c.thresholds.likelihood, 'thresholds.likelihood', lowest, errors);
  const topics = topicRoles.map((role) => c.topics[role]);
  if (new Set(topics).size !== topics.length) errors.push('topics: two roles share one topic name; give each topic its own name');
  checkSeverities('scorer.severities', c.scorer.severities, errors);
  checkRanges('scorer.faults.ranges', c.scorer.faults.ranges, w.channels, errors);
  for (const [ch, unit] of Object.entries(w.units ?? {})) {
    if (!w.channels.includes(ch)) errors.push(`windowing.units.${ch}: no such channel; windowing.channels are ${w.channels.join(', ')}`);
    if (typeof unit !== 'string' || unit === '') errors.push(`windowing.units.${ch}: must be a unit name such as degC or bar, got ${shownValue(`windowing.units.${ch}`, unit)}`);
  }

  for (const [key, sensors] of Object.entries(c.model.groups)) {
    if (!Array.isArray(sensors) || sensors.length === 0 || !sensors.every((s) => typeof s === 'string' && s !== '')) {
      errors.push(`model.groups.${key}: must be a non-empty list of sensor ids, got ${shownValue(`model.groups.${key}`, sensors)}`);
    }
  }
  for (const [sensor, o] of Object.entries(c.thresholds.perSensor)) checkSection(`thresholds.perSensor.${sensor}`, o, 'thresholds', thresholdKeys, errors);
  for (const [sensor, o] of Object.entries(c.scorer.perSensor)) {
    const path = `scorer.perSensor.${sensor}`;
    if (!isObj(o)) {
      errors.push(`${path}: must be a mapping with any of ${overrideKeys}`);
      continue;
    }
    for (const [k, v] of Object.entries(o)) {
      if (k === 'threshold') checkSection(`${path}.threshold`, v, 'thresholds', thresholdKeys, errors);
      else if (k === 'hysteresis') checkSection(`${path}.hysteresis`, v, 'scorer.hysteresis', hysteresisKeys, errors);
      else if (k === 'severities') checkSeverities(`${path}.severities`, v, errors);
      else if (k === 'faults') {
        checkSection(`${path}.faults`, v, 'scorer.faults', faultKeys, errors);
        if (isObj(v)) checkRanges(`${path}.faults.ranges`, v.ranges, w.channels, errors);
      } else if (k === 'likelihood') checkSection(`${path}.likelihood`, v, 'thresholds.likelihood', likelihoodKeys, errors);
      else if (k === 'novelty') checkSection(`${path}.novelty`, v, 'thresholds.novelty', noveltyKeys, errors);
      else if (k === 'newNormalAfter') checkNewNormalAfter(`${path}.newNormalAfter`, v, errors);
      else errors.push(`${path}.${k}: unknown key; allowed here: ${overrideKeys}`);
    }
    if (isObj(o.likelihood)) {
      const bands = Array.isArray(o.severities) && o.severities.every((b) => isObj(b) && typeof b.minScore === 'number') ? (o.severities as Array<{ minScore: number }>) : c.scorer.severities;
      checkLikelihood({ ...c.thresholds.likelihood, ...(o.likelihood as Partial<LikelihoodConfig>) }, `${path}.likelihood`, Math.min(...bands.map((b) => b.minScore)), errors);
    }
  }
  return errors;
}

/** A per-sensor scorer.newNormalAfter: the trainer's and the scorer's own parser, the sensor's path in the message. */
function checkNewNormalAfter(path: string, v: unknown, errors: string[]): void {
  if (typeof v !== 'string') {
    errors.push(`${path}: must be a duration like '30m', '6h', '3d', or 'never', got ${shownValue(path, v)}`);
    return;
  }
  try {
    parseNewNormalAfter(v, path);
  } catch (err) {
    errors.push((err as Error).message);
  }
}
