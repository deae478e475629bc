// Live config for every service: the config file is re-read on SIGHUP (and,
// where the service asks, when the file changes); a valid edit replaces the
// running config and is logged as old → new per key; an invalid edit is
// rejected with the reasons and the running config stays. Keys a service
// reads only at start-up (its `restartOnly` list) keep their running values
// and are logged as needing a restart. Secrets are never logged, only that
// they changed.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isObj } from '../config/obj.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { REDACTED, holdsSecret, redactValue } from '../redact.ts';

export interface ConfigChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Pure: every leaf that differs (arrays compared whole), sorted by path. */
export function diffConfig(a: unknown, b: unknown, prefix = ''): ConfigChange[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffConfig(a[k], b[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix, from: a, to: b }];
}

/** Pure: a change as it may be logged: a secret's old and new values never are (only that it changed). */
export function printable(c: ConfigChange): ConfigChange {
  if (holdsSecret(c.path)) return { path: c.path, from: REDACTED, to: REDACTED };
  return { path: c.path, from: redactValue(c.from), to: redactValue(c.to) };
}

/** Key paths (a section or a key) read only at start-up; `'*'` means every key. */
export type RestartOnly = readonly string[];

const needsRestart = (restartOnly: RestartOnly, path: string): boolean => restartOnly.some((p) => p === '*' || path === p || path.startsWith(`${p}.`));

function copyPath(target: Record<string, unknown>, source: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !(head in source)) return;
  if (rest.length === 0) {
    target[head] = source[head];
    return;
  }
  const child = { ...(target[head] as Record<string, unknown>) };
  target[head] = child;
  copyPath(child, source[head] as Record<string, unknown>, rest);
}

/** Pure: the config to run with after an edit (restart-only keys keep their running values), and what changed. */
export function applyEdit(running: Config, edited: Config, restartOnly: RestartOnly): { next: Config; applied: ConfigChange[]; ignored: ConfigChange[] } {
  const changes = diffConfig(running, edited);
  const ignored = changes.filter((c) => needsRestart(restartOnly, c.path));
  const applied = changes.filter((c) => !needsRestart(restartOnly, c.path));
  if (applied.length === 0) return { next: running, applied, ignored };
  const next = { ...edited } as unknown as Record<string, unknown>;
  for (const p of restartOnly) copyPath(next, running as unknown as Record<string, unknown>, p.split('.'));
  return { next: Object.freeze(next) as unknown as Config, applied, ignored };
}

export interface ConfigWatch {
  current(): Config;
  /** Re-reads the file now (what SIGHUP does); true when a change was applied. */
  reload(reason: string): boolean;
  stop(): void;
}

export interface WatchOptions {
  /** The service, in log lines ("the scorer keeps its start-up value"). */
  service: string;
  file: string;
  initial: Config;
  /** Reads and validates the file (loadConfig); throws with the reasons when invalid. */
  load: (file: string) => Config;
  log: Logger;
  restartOnly: RestartOnly;
  /** Who must restart for an ignored key to take effect (default: this service). */
  whoseRestart?: (path: string) => string;
  /** Also re-read when the file changes on disk (default true). */
  watchFile?: boolean;
  /** Listen for SIGHUP itself (the demo's scorer; a served process leaves it to serveUntilSignal). */
  sighup?: boolean;
  onChange?: (next: Config, changes: ConfigChange[]) => void;
}

export function watchConfig(options: WatchOptions): ConfigWatch {
  const { log, service } = options;
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
    const { next, applied, ignored } = applyEdit(running, edited, options.restartOnly);
    // The values compared are the file's, before and after (a flag such as --metrics-port may have overridden either at start-up).
    for (const c of ignored.map(printable)) {
      const whose = options.whoseRestart?.(c.path) ?? 'this service';
      log.warn(`config change takes effect only when ${whose} restart${whose === 'this service' ? 's' : ''}; the ${service} keeps its start-up value`, { file, key: c.path, before: c.from, edited: c.to });
    }
    if (applied.length === 0) {
      // A person who sent SIGHUP wants to hear back; file events can be noisy.
      (reason === 'SIGHUP' ? log.info : log.debug)('config re-read: nothing to apply', { file, reason, ...(reason === 'SIGHUP' ? { needRestart: ignored.length } : {}) });
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
  if (options.watchFile !== false) {
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
