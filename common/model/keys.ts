// Which model serves a sensor: the model.groups key that lists it, else 'default'.
export const defaultModelKey = 'default';

export function modelKeyFor(sensorId: string, groups: Readonly<Record<string, readonly string[]>>): string {
  for (const [key, sensors] of Object.entries(groups)) if (sensors.includes(sensorId)) return key;
  return defaultModelKey;
}
