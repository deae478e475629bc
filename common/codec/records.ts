// Encode/decode of the records between services: windows, alerts, model
// updates and dead letters. Decoding a bad record throws a coded error that
// the caller turns into a dead letter (reason bad_avro, or bad_window).
import { SensorwatchError } from '../errors.ts';
import type { AnomalyAlert, DeadLetter, ModelUpdated, SignalWindow } from '../types.ts';
import { alertType, deadLetterType, modelUpdatedType, windowType, windowV1Resolver, windowV1Type } from './schemas.ts';
import { boundsProblem } from './guard.ts';
import { readWindow } from './window-reader.ts';
import { writeWindow } from './window-writer.ts';
import type avro from 'avsc';

function decodeWith<T>(type: avro.Type, what: string, value: Buffer | null): T {
  if (value === null) throw new SensorwatchError(`${what}: empty record value`, { code: 'bad_avro' });
  const problem = boundsProblem(type, value);
  if (problem !== null) throw new SensorwatchError(`not a ${what} Avro record (${value.length} bytes): ${problem}`, { code: 'bad_avro' });
  try {
    return type.fromBuffer(value) as T;
  } catch (err) {
    throw new SensorwatchError(`not a ${what} Avro record (${value.length} bytes): ${(err as Error).message}`, { code: 'bad_avro', cause: err });
  }
}

function encodeWith(type: avro.Type, what: string, value: unknown): Buffer {
  try {
    return type.toBuffer(value);
  } catch (err) {
    throw new SensorwatchError(`cannot encode ${what}: ${(err as Error).message}`, { code: 'internal', cause: err });
  }
}

/** Why a window cannot be scored, or null when it is well formed. */
export function windowProblem(w: SignalWindow): string | null {
  if (w.channels.length === 0) return 'window has no channels';
  if (w.samples.length % w.channels.length !== 0) {
    return `window of sensor ${w.sensorId} seq ${w.seq}: ${w.samples.length} samples is not a multiple of ${w.channels.length} channels`;
  }
  if (w.end < w.start) return `window of sensor ${w.sensorId} seq ${w.seq}: end ${w.end} before start ${w.start}`;
  return null;
}

/** The fast writer where it applies (always, for windows ingest makes), avsc otherwise. */
export const encodeWindow = (w: SignalWindow): Buffer => writeWindow(w) ?? encodeWith(windowType, 'SignalWindow', w);

/** A window in the avsc decoder: v2, else v1 (no sensorType, read as 'default') before giving v2's error. */
function decodeWindowAvsc(value: Buffer | null): SignalWindow {
  try {
    return decodeWith<SignalWindow>(windowType, 'SignalWindow', value);
  } catch (err) {
    // Unchecked, avsc can allocate gigabytes for a damaged block count: the guard goes first.
    if (value === null || boundsProblem(windowV1Type, value) !== null) throw err;
    try {
      return windowType.fromBuffer(value, windowV1Resolver) as SignalWindow;
    } catch {
      throw err;
    }
  }
}

/** Decodes and checks a window (v2, or v1 read with sensorType 'default'); throws code bad_avro or bad_window. */
export function decodeWindow(value: Buffer | null): SignalWindow {
  const w = (value === null ? null : readWindow(value)) ?? decodeWindowAvsc(value);
  const problem = windowProblem(w);
  if (problem !== null) throw new SensorwatchError(problem, { code: 'bad_window' });
  return w;
}

export const encodeAlert = (a: AnomalyAlert): Buffer => encodeWith(alertType, 'AnomalyAlert', a);
export const decodeAlert = (value: Buffer | null): AnomalyAlert => decodeWith<AnomalyAlert>(alertType, 'AnomalyAlert', value);

export const encodeModelUpdated = (m: ModelUpdated): Buffer => encodeWith(modelUpdatedType, 'ModelUpdated', m);
export const decodeModelUpdated = (value: Buffer | null): ModelUpdated => decodeWith<ModelUpdated>(modelUpdatedType, 'ModelUpdated', value);

export const encodeDeadLetter = (d: DeadLetter): Buffer => encodeWith(deadLetterType, 'DeadLetter', d);
export const decodeDeadLetter = (value: Buffer | null): DeadLetter => decodeWith<DeadLetter>(deadLetterType, 'DeadLetter', value);
