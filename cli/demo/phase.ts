// What the demo is doing before it scores, in the user's words: pure. The first
// model comes once ingest has published trainer.minWindows windows (the demo
// trainer checks every 2 s) and one training round has run on them, and the
// scorer has loaded it. A single up-front figure ("first model in about 32 s")
// left out the training and was off by as much as it took; so the line follows
// the real progress: windows so far and the time left to reach minWindows at the
// rate they arrive, then how long training has taken so far.

export interface WarmupProgress {
  now: number;
  /** The scorer has a model and scores. */
  scoring: boolean;
  /** Windows ingest has published, and how many the first model needs (trainer.minWindows). */
  windows: number;
  minWindows: number;
  /** Windows published per second lately (null: not known yet). */
  windowsPerSecond: number | null;
  /** When the first training round began, and when a model was promoted (ms; null: not yet). */
  trainingSince: number | null;
  trainedAt: number | null;
}

export function warmupPhase(p: WarmupProgress): string {
  if (p.scoring) return 'scoring';
  if (p.trainedAt !== null) return 'first model trained; the scorer is loading it';
  if (p.trainingSince !== null) return `training the first model (${Math.round((p.now - p.trainingSince) / 1000)} s so far)`;
  const have = Math.min(p.windows, p.minWindows);
  const left = p.minWindows - have;
  if (left === 0) return `warming up: ${have} of ${p.minWindows} windows, training starts in a moment`;
  const eta = p.windowsPerSecond === null || p.windowsPerSecond <= 0 ? '' : `, enough in about ${Math.ceil(left / p.windowsPerSecond)} s`;
  return `warming up: ${have} of ${p.minWindows} windows for the first model${eta}, then training`;
}
