// Live config: the config file is watched (and SIGHUP re-reads it); a valid
// edit replaces the running config from the next batch on and is logged as
// old → new per key; an invalid edit is rejected with the reasons and the
// running config stays. Connection settings (kafka, topics, metrics) and the
// tfjs backend are read once at start-up: edits to them are logged as needing
// a restart and the running values are kept; so are `windowing` edits (ingest's and the model's).
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Config } from '../common/config/types.ts';
import type { Logger } from '../common/log.ts';
import { REDACTED, isSecretKey, redactValue } from '../common/redact.ts';

export interface ConfigChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Pure: every leaf that differs (arrays compared whole), sorted by path. */
export function diffConfig(a: unknown, b: unknown, prefix = ''): ConfigChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffConfig(a[k], b[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix, from: a, to: b }];
}

/** Pure: a change as it may be logged: a secret's old and new values never are (only that it changed). */
export function printable(c: ConfigChange): ConfigChange {
  if (isSecretKey(c.path)) return { path: c.path, from: REDACTED, to: REDACTED };
  return { path: c.path, from: redactValue(c.from), to: redactValue(c.to) };
}

/**
 * Sections and keys that only take effect at start-up. `windowing` is ingest's (windows on the
 * topic keep their shape until ingest restarts) and the model's (its length and channels are
 * fixed by training): the scorer keeps the running values.
 */
export const restartOnly = ['kafka', 'topics', 'metrics', 'windowing', 'scorer.backend', 'logLevel'] as const;

const needsRestart = (path: string): boolean => restartOnly.some((p) => path === p || path.startsWith(`${p}.`));

/** Pure: the config to run with after an edit (restart-only keys keep their running values), and what changed. */
export function applyEdit(running: Config, edited: Config): { next: Config; applied: ConfigChange[]; ignored: ConfigChange[] } {
  const changes = diffConfig(running, edited);
  const ignored = changes.filter((c) => needsRestart(c.path));
  const applied = changes.filter((c) => !needsRestart(c.path));
  if (applied.length === 0) return { next: running, applied, ignored };
  const next: Config = {
    ...edited,
    kafka: running.kafka,
    topics: running.topics,
    metrics: running.metrics,
    windowing: running.windowing,
    logLevel: running.logLevel,
    scorer: { ...edited.scorer, backend: running.scorer.backend },
  };
  return { next: Object.freeze(next), applied, ignored };
}

export interface ConfigWatch {
  current(): Config;
  /** Re-reads the file now (what SIGHUP does); resolves true when a change was applied. */
  reload(reason: string): boolean;
  stop(): void;
}

export interface WatchOptions {
  file: string;
  initial: Config;
  /** Reads and validates the file (loadConfig); throws with the reasons when invalid. */
  load: (file: string) => Config;
  log: Logger;
  /** Listen for SIGHUP (the CLI and demo do; tests usually not). */
  sighup?: boolean;
  onChange?: (next: Config, changes: ConfigChange[]) => void;
}

export function watchConfig(options: WatchOptions): ConfigWatch {
  const { log } = options;
  const file = resolve(options.file);
  let running = options.initial;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const reload = (reason: string): boolean => {
    let edited: Config;
    try {
      edited = options.load(file);
    } catch (error) {
      const problems = (error as { problems?: string[] }).problems;
      log.error('config edit rejected; keeping the running config', { file, reason, problems: problems ?? [(error as Error).message] });
      return false;
    }
    const { next, applied, ignored } = applyEdit(running, edited);
    // The values compared are the file's, before and after (a flag such as --metrics-port may have overridden either at start-up).
    for (const c of ignored.map(printable)) {
      const whose = c.path.startsWith('windowing') ? 'ingest and the trainer' : 'this service';
      log.warn(`config change takes effect only when ${whose} restart${whose === 'this service' ? 's' : ''}; the scorer keeps its start-up value`, { file, key: c.path, before: c.from, edited: c.to });
    }
    if (applied.length === 0) {
      // A person who sent SIGHUP wants to hear back; file events can be noisy.
      (reason === 'SIGHUP' ? log.info : log.debug)('config re-read: nothing to apply', { file, reason });
      return false;
    }
    running = next;
    log.info('config reloaded', { file, reason, changes: applied.map(printable).map((c) => `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`) });
    options.onChange?.(next, applied);
    return true;
  };

  // Watch the directory, not the file: editors save by writing a new file and
  // renaming it over the old one, which a watch on the old inode would miss.
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(file), (_event, name) => {
      if (name !== null && name !== basename(file)) return;
      // Editors write in several steps; act once things settle.
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        reload('file changed');
      }, 100);
    });
  } catch (error) {
    log.warn('cannot watch the config file; SIGHUP still reloads it', { file, error });
  }
  const onSighup = (): void => void reload('SIGHUP');
  if (options.sighup === true) process.on('SIGHUP', onSighup);

  return {
    current: () => running,
    reload,
    stop() {
      watcher?.close();
      if (timer !== null) clearTimeout(timer);
      if (options.sighup === true) process.off('SIGHUP', onSighup);
    },
  };
}
