// Structured logging: one JSON object per line on stderr, so stdout stays free
// for command output (tables, --json) and the demo's live summary. Every line
// goes through redaction (common/redact.ts): a field named like a password,
// secret or token, and PEM private key material in any string (error messages
// included), are written as [redacted].
import { REDACTED, isSecretKey, redactText } from './redact.ts';
import type { LogLevel } from './config/enums.ts';

export type { LogLevel };
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr. */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < min) return;
    const entry = { time: new Date().toISOString(), level, msg, ...base, ...fields };
    write(`${JSON.stringify(entry, errorReplacer)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

function errorReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && typeof value === 'string' && value !== '') return REDACTED;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger that drops everything: for unit tests. */
export const silentLogger: Logger = createLogger({ write: () => undefined });
