// The scorer's live config (the mechanism is common/service/reload.ts, shared
// by every service): a valid edit replaces the running config from the next
// batch on. Connection settings (kafka, topics, metrics) and the tfjs backend
// are read once at start-up: edits to them are logged as needing a restart
// and the running values are kept; so are `windowing` edits (ingest's and the model's).
import type { Config } from '../common/config/types.ts';
import { applyEdit as applyEditFor, watchConfig as watchConfigFor, type ConfigChange, type ConfigWatch, type WatchOptions } from '../common/service/reload.ts';

export { diffConfig, printable, type ConfigChange, type ConfigWatch } from '../common/service/reload.ts';

/**
 * Sections and keys that only take effect at start-up. `windowing` is ingest's (windows on the
 * topic keep their shape until ingest restarts) and the model's (its length and channels are
 * fixed by training): the scorer keeps the running values.
 */
export const restartOnly = ['kafka', 'topics', 'metrics', 'windowing', 'scorer.backend', 'logLevel'] as const;

const whoseRestart = (path: string): string => (path.startsWith('windowing') ? 'ingest and the trainer' : 'this service');

/** Pure: the config to run with after an edit (restart-only keys keep their running values), and what changed. */
export function applyEdit(running: Config, edited: Config): { next: Config; applied: ConfigChange[]; ignored: ConfigChange[] } {
  return applyEditFor(running, edited, restartOnly);
}

export function watchConfig(options: Omit<WatchOptions, 'service' | 'restartOnly'>): ConfigWatch {
  return watchConfigFor({ ...options, service: 'scorer', restartOnly, whoseRestart });
}
