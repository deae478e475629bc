// NAB scoring, as the Numenta Anomaly Benchmark defines it (nab/sweeper.py,
// nab/runner.py normalize): anomaly windows from the labels, a probationary
// period that is not scored, the earliest detection in each window weighted by
// a scaled sigmoid of its position, false positives weighted by their distance
// after the preceding window, one threshold per profile optimised over the
// whole corpus, and normalisation between the null and the perfect detector.
// Pure: no I/O.

export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

export interface NabFile {
  name: string;
  /** Anomaly score per row (NAB uses [0, 1]; any real order works). */
  scores: ArrayLike<number>;
  /** Anomaly windows as inclusive row-index ranges, in order. */
  windows: Array<[number, number]>;
}

export const probationPercent = 0.15;

/** 2·sigmoid(−5x) − 1, and −1 from 3 window-lengths on (NAB's scaledSigmoid). */
export function scaledSigmoid(x: number): number {
  return x >= 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1;
}

/** Rows at the start of a file that are not scored: min(⌊0.15·n⌋, 0.15·5000). */
export function probationaryLength(rows: number, percent = probationPercent): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** Where a row sits: in window `w` (a corpus-wide id), outside any window (-1), or in probation (-2). */
const outside = -1;
const probation = -2;

export interface SweepPoint {
  score: number;
  /** The row's weight if it were flagged: positive inside a window, ≤ 0 outside. */
  sweep: number;
  window: number;
}

/** Per-row sweep weights of one file (NAB Sweeper.calcSweepScore). `firstWindowId` numbers its windows corpus-wide. */
export function sweepFile(file: NabFile, cost: CostMatrix, firstWindowId = 0): SweepPoint[] {
  const n = file.scores.length;
  const maxTp = scaledSigmoid(-1);
  const probationRows = probationaryLength(n);
  const points: SweepPoint[] = [];
  let w = 0;
  let inWindow: [number, number] | null = null;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const next = file.windows[w];
    if (inWindow === null && next !== undefined && i === next[0]) inWindow = next;
    let sweep: number;
    if (inWindow !== null) {
      const width = inWindow[1] - inWindow[0] + 1;
      sweep = (scaledSigmoid(-(inWindow[1] - i + 1) / width) * cost.tpWeight) / maxTp;
    } else {
      const position = prevRight < 0 ? 3 : Math.abs(prevRight - i) / (prevWidth - 1);
      sweep = scaledSigmoid(position) * cost.fpWeight;
    }
    const window = i < probationRows ? probation : inWindow !== null ? firstWindowId + w : outside;
    points.push({ score: file.scores[i] as number, sweep, window });
    if (inWindow !== null && i === inWindow[1]) {
      prevRight = i;
      prevWidth = inWindow[1] - inWindow[0] + 1;
      inWindow = null;
      w++;
    }
  }
  return points;
}

export interface ThresholdScore {
  threshold: number;
  score: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Every file's sweep points, probation dropped, windows numbered corpus-wide. */
export function corpusPoints(files: NabFile[], cost: CostMatrix): SweepPoint[] {
  const out: SweepPoint[] = [];
  let id = 0;
  for (const f of files) {
    for (const p of sweepFile(f, cost, id)) if (p.window !== probation) out.push(p);
    id += f.windows.length;
  }
  return out;
}

/**
 * The score at every distinct threshold, highest first (NAB Sweeper.calcScoreByThreshold):
 * a row counts as detected at threshold t when its score ≥ t.
 */
export function scoresByThreshold(points: SweepPoint[], cost: CostMatrix): ThresholdScore[] {
  const sorted = [...points].sort((a, b) => b.score - a.score);
  const windowBest = new Map<number, number>();
  for (const p of sorted) if (p.window >= 0) windowBest.set(p.window, -cost.fnWeight);
  let windowSum = -cost.fnWeight * windowBest.size;
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let fn = sorted.filter((p) => p.window >= 0).length;
  let tn = sorted.length - fn;
  const out: ThresholdScore[] = [];
  let current = Number.POSITIVE_INFINITY;
  for (const p of sorted) {
    if (p.score !== current) {
      out.push({ threshold: current, score: windowSum + fpSum, tp, fp, fn, tn });
      current = p.score;
    }
    if (p.window >= 0) {
      tp++;
      fn--;
      const best = windowBest.get(p.window) as number;
      if (p.sweep > best) {
        windowSum += p.sweep - best;
        windowBest.set(p.window, p.sweep);
      }
    } else {
      fp++;
      tn--;
      fpSum += p.sweep;
    }
  }
  out.push({ threshold: current, score: windowSum + fpSum, tp, fp, fn, tn });
  return out;
}

/** The threshold with the highest corpus score; ties go to the higher threshold (NAB: first max). */
export function optimiseThreshold(points: SweepPoint[], cost: CostMatrix): ThresholdScore {
  let best: ThresholdScore | undefined;
  for (const s of scoresByThreshold(points, cost)) if (best === undefined || s.score > best.score) best = s;
  return best as ThresholdScore;
}

/** One file's score at a fixed threshold (NAB Sweeper.scoreDataSet), computed directly. */
export function scoreAtThreshold(points: SweepPoint[], cost: CostMatrix, threshold: number): ThresholdScore {
  const best = new Map<number, number>();
  let fpSum = 0;
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const p of points) {
    const hit = p.score >= threshold;
    if (p.window >= 0) {
      if (!best.has(p.window)) best.set(p.window, -cost.fnWeight);
      if (hit) best.set(p.window, Math.max(best.get(p.window) as number, p.sweep));
      if (hit) c.tp++;
      else c.fn++;
    } else if (hit) {
      c.fp++;
      fpSum += p.sweep;
    } else c.tn++;
  }
  let score = fpSum;
  for (const v of best.values()) score += v;
  return { threshold, score, ...c };
}

export interface ProfileResult {
  /** 100 · (raw − null) / (perfect − null). */
  normalised: number;
  raw: number;
  threshold: number;
  nullScore: number;
  perfectScore: number;
  counts: { tp: number; fp: number; fn: number; tn: number };
  perFile: Record<string, { score: number; tp: number; fp: number; fn: number }>;
}

/**
 * The NAB score of one detector for one profile. The null detector (a constant
 * score, which NAB gives as 0.5) is optimised the same way; the perfect
 * detector finds every window at its left edge: windows × tpWeight.
 */
export function nabProfileScore(files: NabFile[], cost: CostMatrix): ProfileResult {
  const points = corpusPoints(files, cost);
  const best = optimiseThreshold(points, cost);
  const nullPoints = points.map((p) => ({ ...p, score: 0.5 }));
  const nullScore = optimiseThreshold(nullPoints, cost).score;
  const perfectScore = files.reduce((s, f) => s + f.windows.length, 0) * cost.tpWeight;
  const perFile: ProfileResult['perFile'] = {};
  for (const f of files) {
    const s = scoreAtThreshold(sweepFile(f, cost).filter((p) => p.window !== probation), cost, best.threshold);
    perFile[f.name] = { score: s.score, tp: s.tp, fp: s.fp, fn: s.fn };
  }
  return {
    normalised: (100 * (best.score - nullScore)) / (perfectScore - nullScore),
    raw: best.score,
    threshold: best.threshold,
    nullScore,
    perfectScore,
    counts: { tp: best.tp, fp: best.fp, fn: best.fn, tn: best.tn },
    perFile,
  };
}

/** NAB profile names in config/profiles.json → the keys in metrics.json. */
export const nabScoreKeys: Record<string, string> = {
  standard: 'nab.standard',
  reward_low_FP_rate: 'nab.lowFP',
  reward_low_FN_rate: 'nab.lowFN',
};
