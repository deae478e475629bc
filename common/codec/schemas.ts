// The Avro types of schemas/*.avsc, parsed and compiled once at module load
// (house style 6). Everything that reads or writes a record goes through these.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { SensorwatchError } from '../errors.ts';

/** Where schemas/ is: two levels up from here in a checkout, three in dist/. */
function schemasDir(): string {
  for (const rel of ['../../schemas/', '../../../schemas/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}SensorReading.avsc`)) return dir;
  }
  throw new SensorwatchError(`schemas/ not found near ${fileURLToPath(import.meta.url)}: the .avsc files ship with the code`, { code: 'schemas_not_found' });
}

const dir = schemasDir();

/** Parses and compiles one schema file (path relative to schemas/). */
export function loadSchema(file: string): avro.Type {
  const path = `${dir}${file}`;
  let schema: avro.Schema;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8')) as avro.Schema;
  } catch (err) {
    throw new SensorwatchError(`cannot read Avro schema ${path}: ${(err as Error).message}`, { code: 'schema_unreadable', cause: err, details: { path } });
  }
  // omitRecordMethods: decoded records are plain data objects.
  return avro.Type.forSchema(schema, { omitRecordMethods: true });
}

export const readingType = loadSchema('SensorReading.avsc');
/** SensorReading v1 (no quality flag): read through `readingV1Resolver`. */
export const readingV1Type = loadSchema('history/SensorReading.v1.avsc');
export const readingV1Resolver = readingType.createResolver(readingV1Type);
export const windowType = loadSchema('SignalWindow.avsc');
/** SignalWindow v1 (no sensorType): read through this resolver, sensorType 'default'. */
export const windowV1Type = loadSchema('history/SignalWindow.v1.avsc');
export const windowV1Resolver = windowType.createResolver(windowV1Type);
export const alertType = loadSchema('AnomalyAlert.avsc');
export const modelUpdatedType = loadSchema('ModelUpdated.avsc');
export const deadLetterType = loadSchema('DeadLetter.avsc');
