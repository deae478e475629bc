// A progress bar on stderr: redrawn in place on a terminal, one line per step
// otherwise (CI logs). The clock is injected so tests can fix it.
export interface Progress {
  /** Marks one more item done; `label` names it. */
  tick(label: string): void;
  done(): void;
}

export interface ProgressOptions {
  total: number;
  write?: (text: string) => void;
  tty?: boolean;
  now?: () => number;
  width?: number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function renderBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function createProgress(options: ProgressOptions): Progress {
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const tty = options.tty ?? process.stderr.isTTY === true;
  const now = options.now ?? Date.now;
  const width = options.width ?? 30;
  const started = now();
  let done = 0;
  return {
    tick(label) {
      done++;
      const elapsed = (now() - started) / 1000;
      const eta = (elapsed / done) * (options.total - done);
      const line = `eval ${renderBar(done, options.total, width)} ${done}/${options.total} ${label} (elapsed ${duration(elapsed)}, eta ${duration(eta)})`;
      write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done() {
      if (tty) write('\n');
    },
  };
}
