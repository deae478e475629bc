// The CLI's training progress bar: epoch, loss, validation loss, ETA.
import type { EpochProgress } from '../common/model/train.ts';

export function formatProgress(p: EpochProgress, width = 20): string {
  const filled = Math.round((p.epoch / p.epochs) * width);
  const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}`;
  return `epoch ${String(p.epoch).padStart(String(p.epochs).length)}/${p.epochs} [${bar}] loss ${fmt(p.loss)} val ${fmt(p.valLoss)} best ${fmt(p.bestValLoss)} ETA ${duration(p.etaSeconds)}`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Redraws one line on a terminal; prints a line per epoch elsewhere (CI logs). */
export function progressPrinter(stream: NodeJS.WriteStream, prefix: string): { update(p: EpochProgress): void; done(): void } {
  let drawn = false;
  return {
    update(p) {
      const line = `${prefix}${formatProgress(p)}`;
      if (stream.isTTY) {
        stream.write(`\r${line}\u001b[K`);
        drawn = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
