// Which model serves a sensor. With the implicit single type (`sensorTypes: []`):
// the model.groups key that lists it, else 'default', as always. With sensor
// types (issue 22): the type's name, or `<type>.<group>` for a group in the
// type's model.groups (its merged config: top-level groups apply to the type
// whose sensors they list; config check refuses a group spanning types).
import { implicitTypeName, isImplicit, isTypeName, typeConfig, typeNames, typeOf } from '../config/sensor-types.ts';
import type { Config } from '../config/types.ts';
import type { SignalWindow } from '../types.ts';

export const defaultModelKey = 'default';

export function modelKeyFor(sensorId: string, groups: Readonly<Record<string, readonly string[]>>): string {
  for (const [key, sensors] of Object.entries(groups)) if (sensors.includes(sensorId)) return key;
  return defaultModelKey;
}

/** The model key of a sensor of a type (the window's `sensorType`). */
export function modelKeyOf(config: Config, sensorType: string, sensorId: string): string {
  if (isImplicit(config)) return modelKeyFor(sensorId, config.model.groups);
  const groups = typeConfig(config, sensorType).model.groups;
  for (const [key, sensors] of Object.entries(groups)) if (sensors.includes(sensorId)) return `${sensorType}.${key}`;
  return sensorType;
}

/** The key a sensor of this type falls back on while its group has no model yet: 'default', or the type's own key. */
export function typeModelKey(config: Config, sensorType: string): string {
  return isImplicit(config) ? defaultModelKey : sensorType;
}

/** The sensor type a model key belongs to (`pump.g1` → pump), or undefined for a key of no type in the config. */
export function typeOfModelKey(config: Config, modelKey: string): string | undefined {
  if (isImplicit(config)) return implicitTypeName;
  const type = modelKey.split('.')[0] ?? '';
  return isTypeName(config, type) ? type : undefined;
}

/** Every model key the config declares (for metrics declared at 0): per type its key and its groups\' keys. */
export function modelKeysOf(config: Config): string[] {
  if (isImplicit(config)) return [defaultModelKey, ...Object.keys(config.model.groups)];
  const keys: string[] = [];
  for (const type of typeNames(config)) {
    keys.push(type);
    for (const [group, sensors] of Object.entries(typeConfig(config, type).model.groups)) {
      if (sensors.some((s) => typeOf(config, s) === type)) keys.push(`${type}.${group}`);
    }
  }
  return keys;
}

/**
 * Why a window cannot train or be scored under the config in force, or null:
 * its type is not defined (any more); its sensor is now of another type (moved:
 * its old windows have the old layout); or its channels are not its type\'s.
 */
export function windowTypeProblem(config: Config, w: SignalWindow): string | null {
  const type = w.sensorType ?? implicitTypeName;
  if (isImplicit(config)) return type === implicitTypeName ? null : `window ${w.sensorId}#${w.seq} is of sensor type ${type}, which the config does not define (sensorTypes is empty: only the implicit type default)`;
  if (!isTypeName(config, type)) return `window ${w.sensorId}#${w.seq} is of sensor type ${type}, which the config does not define (types: ${typeNames(config).join(', ')})`;
  const now = typeOf(config, w.sensorId);
  if (now !== type) return `window ${w.sensorId}#${w.seq} was cut as sensor type ${type}, but sensor ${w.sensorId} is now of type ${now ?? '(none)'}: the sensor starts afresh under its new type`;
  const channels = typeConfig(config, type).windowing.channels;
  if (channels.length !== w.channels.length || channels.some((c, i) => c !== w.channels[i])) {
    return `window ${w.sensorId}#${w.seq} of type ${type} has channels ${w.channels.join(', ')}; the type has ${channels.join(', ')}`;
  }
  return null;
}
