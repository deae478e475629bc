// The benchmark report: its shape, the keys every run must carry (null plus a
// reason when a part could not run), and the plain-text table for stdout.
import { backendNames, type BackendName } from '../common/config/enums.ts';
import { round } from './stats.ts';

export { backendNames, type BackendName };
export type ModelCase = 'dense' | 'conv';

export interface BackendInfo {
  available: boolean;
  version: string | null;
  reason: string | null;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  os: string;
  node: string;
  tfjs: string | null;
  backends: Record<BackendName, BackendInfo>;
  python: string | null;
  numpy: string | null;
  blas: string | null;
  pythonTensorflow: string | null;
  /** Load average at the start: a noisy machine shows here. */
  loadAverage: number[];
}

export interface ScoringRow {
  backend: BackendName;
  model: ModelCase;
  batchSize: number;
  windowsPerSec: number;
}

export interface ScoringSection {
  rows: ScoringRow[];
  /** Our best dense-model windows/s at the largest batch size, any backend. */
  best: ScoringRow | null;
  blas: { batchSize: number; windowsPerSec: number; threads: string }[] | null;
  /** Largest |tfjs - numpy| over the reconstructions of the same windows. */
  blasMaxAbsDiff: number | null;
  blasRatio: number | null;
  /** Our best dense-model windows/s at batch 1, any backend, ÷ numpy's at batch 1 (null: batch 1 or the reference not run). */
  batch1Ratio: number | null;
  reason: string | null;
}

export interface TrainingRow {
  backend: BackendName;
  model: ModelCase;
  /**
   * trainModel's stepImplementation. 'fast': the hand-written dense backward pass in tfjs with one
   * flat Adam update; 'layers': the layers API with tf.train.adam (the step before issue 21; the
   * same model bit for bit on the tensorflow backend); 'wasm': forward, backward and Adam in
   * WebAssembly (common/model/wasm-train.ts). `production` says which one trainModel uses by default.
   */
  step: 'fast' | 'layers' | 'wasm';
  /** Whether this is the step trainModel takes by default (defaultTrainingStep): the one kerasRatio is about. */
  production?: boolean;
  batchSize: number;
  windowsPerSec: number;
  epochs: number;
}

/** The production case: the default model config trained on `windows` for every one of `epochs` epochs. */
export interface TrainingProduction {
  backend: BackendName;
  kind: string;
  windows: number;
  trainWindows: number;
  epochs: number;
  batchSize: number;
  wallSeconds: number;
  windowsPerSec: number;
  valLoss: number;
}

export interface TrainingSection {
  rows: TrainingRow[];
  best: TrainingRow | null;
  production: TrainingProduction | null;
  keras: { model: ModelCase; batchSize: number; windowsPerSec: number; epochs: number }[] | null;
  kerasRatio: number | null;
  reason: string | null;
}

export interface LatencyRow {
  /** Which run at this load (1, 2 ...): each load is run `repeats` times. */
  repeat: number;
  /** 1: ingest and scorer share one process (as in the demo); 2: ingest in a process of its own (as deployed). */
  processes: 1 | 2;
  offeredPerSec: number;
  achievedPerSec: number;
  windows: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Where the time goes: reading stamped → acknowledged by the broker (the load generator's own share). */
  generatorP50Ms: number | null;
  generatorP99Ms: number | null;
  /** p99 of the event-loop delay in the process running the scorer (and ingest, with one process) after warm-up, ms. */
  eventLoopDelayP99Ms: number | null;
  /** Reading stamped → its window published by ingest (Kafka timestamp of the window record). */
  ingestP50Ms: number | null;
  ingestP99Ms: number | null;
  /** Windows ending in the busiest tick of the hop ÷ the even share: 1 = completions spread over the hop, hop = one burst per hop (stats.ts windowBunching). */
  windowBunching: number | null;
  /** Where each window's time went, stage by stage (bench/parts/latency.ts StageRecorder); ingest's stages only with one process. */
  stages: LatencyStage[];
}

/** One gap between consecutive stages of a window's way, over the run's windows after warm-up. */
export interface LatencyStage {
  /** `from → to`, e.g. `window acked → scorer fetched`. */
  stage: string;
  windows: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** The gap's mean over the slowest 1 % of windows end to end: what their p99 is made of. */
  slowestMeanMs: number | null;
}

/** One round of the throughput comparison: Kafka's tool, then our ingest, on the same topic. */
export interface IngestRound {
  ingestReadingsPerSec: number | null;
  perfToolReadingsPerSec: number | null;
  ratio: number | null;
}

export interface KafkaSection {
  readings: number | null;
  /** Medians over the rounds. */
  ingestReadingsPerSec: number | null;
  perfToolReadingsPerSec: number | null;
  /** Median of the rounds' ratios (each round pairs the two back to back). */
  ingestRatio: number | null;
  ingestRounds: IngestRound[];
  latency: LatencyRow[];
  /** Median p99 at 20k readings/s, ingest and scorer in one process. */
  latencyP99Ms: number | null;
  /** The same with ingest and scorer in two processes (as deployed); null when not run. */
  latencyApartP99Ms: number | null;
  reason: string | null;
}

export interface MemorySection {
  scorerWindows: number | null;
  scorerRssStartBytes: number | null;
  scorerRssEndBytes: number | null;
  tensorsStart: number | null;
  tensorsEnd: number | null;
  tensorsFlat: boolean | null;
  modelsLoaded: number | null;
  bytesPerModel: number | null;
  tensorBytesPerModel: number | null;
  reason: string | null;
}

export interface BenchReport {
  version: 1;
  mode: 'quick' | 'full';
  startedAt: string;
  durationSec: number;
  command: string;
  machine: MachineInfo;
  scoring: ScoringSection;
  training: TrainingSection;
  kafka: KafkaSection;
  memory: MemorySection;
}

/** Keys the issue names: each must be present in every report (value may be null). */
export const requiredKeys = [
  'machine.cpuModel',
  'machine.cores',
  'machine.node',
  'machine.backends',
  'scoring.blasRatio',
  'training.kerasRatio',
  'kafka.ingestRatio',
  'kafka.latencyP99Ms',
  'kafka.latencyApartP99Ms',
  'memory.scorerRssEndBytes',
  'memory.tensorsFlat',
  'memory.bytesPerModel',
] as const;

/** Dotted keys from `requiredKeys` that `value` lacks (present-but-null counts as present). */
export function missingKeys(value: unknown, keys: readonly string[] = requiredKeys): string[] {
  return keys.filter((key) => {
    let node: unknown = value;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object' || !(part in node)) return true;
      node = (node as Record<string, unknown>)[part];
    }
    return node === undefined;
  });
}

export function emptyScoring(reason: string): ScoringSection {
  return { rows: [], best: null, blas: null, blasMaxAbsDiff: null, blasRatio: null, batch1Ratio: null, reason };
}
/** A training row's backend column: the default step plain, any other named as a comparison. */
function trainingLabel(row: TrainingRow): string {
  // Reports from before `production` existed had only the default 'fast' step unlabelled.
  const production = row.production ?? row.step === 'fast';
  if (production) return row.step === 'fast' ? row.backend : `${row.backend} (${row.step} step)`;
  return `${row.backend} (${row.step} step, for comparison)`;
}

export function emptyTraining(reason: string): TrainingSection {
  return { rows: [], best: null, production: null, keras: null, kerasRatio: null, reason };
}
export function emptyKafka(reason: string): KafkaSection {
  return {
    readings: null,
    ingestReadingsPerSec: null,
    perfToolReadingsPerSec: null,
    ingestRatio: null,
    ingestRounds: [],
    latency: [],
    latencyP99Ms: null,
    latencyApartP99Ms: null,
    reason,
  };
}
export function emptyMemory(reason: string): MemorySection {
  return {
    scorerWindows: null,
    scorerRssStartBytes: null,
    scorerRssEndBytes: null,
    tensorsStart: null,
    tensorsEnd: null,
    tensorsFlat: null,
    modelsLoaded: null,
    bytesPerModel: null,
    tensorBytesPerModel: null,
    reason,
  };
}

function fmt(value: number | null | boolean, digits = 4): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'NO';
  const r = round(value, digits) as number;
  return Math.abs(r) >= 1e4 ? Math.round(r).toLocaleString('en-US') : String(r);
}

function mib(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}

function target(value: number | null, goal: number, lowerIsBetter = false): string {
  if (value === null) return 'n/a';
  const met = lowerIsBetter ? value <= goal : value >= goal;
  return met ? 'met' : 'MISSED';
}

/** The human-readable report (markdown tables, so it pastes into docs/performance.md). */
export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  const backends = Object.entries(m.backends)
    .map(([name, b]) => `${name} ${b.available ? (b.version ?? '?') : `unavailable (${b.reason ?? 'unknown'})`}`)
    .join('; ');
  out.push(`# sensorwatch bench (${r.mode}) — ${r.startedAt}, ${r.durationSec.toFixed(0)} s`);
  out.push('');
  out.push(`Machine: ${m.cpuModel}, ${m.cores} cores, ${mib(m.totalMemoryBytes)}, ${m.os}, load ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}`);
  out.push(`Node ${m.node}, tfjs ${m.tfjs ?? '—'}; backends: ${backends}`);
  out.push(`Python ${m.python ?? '—'}, numpy ${m.numpy ?? '—'} (BLAS ${m.blas ?? '—'}), TensorFlow (Python) ${m.pythonTensorflow ?? '—'}`);
  out.push('');

  out.push('## Headline ratios (ours ÷ reference, same run)');
  out.push('');
  out.push(
    ...table(
      ['figure', 'value', 'target', ''],
      [
        ['scoring.blasRatio (batch 1024)', fmt(r.scoring.blasRatio), '≥ 1', target(r.scoring.blasRatio, 1)],
        ['scoring.batch1Ratio (batch 1 ÷ numpy)', fmt(r.scoring.batch1Ratio), '≥ 0.5', target(r.scoring.batch1Ratio, 0.5)],
        ['training.kerasRatio', fmt(r.training.kerasRatio), '≥ 1', target(r.training.kerasRatio, 1)],
        ['kafka.ingestRatio', fmt(r.kafka.ingestRatio), '≥ 0.5', target(r.kafka.ingestRatio, 0.5)],
        ['kafka.latencyP99Ms (20k/s)', fmt(r.kafka.latencyP99Ms), '≤ 50', target(r.kafka.latencyP99Ms, 50, true)],
        ['kafka.latencyApartP99Ms 20k/s', fmt(r.kafka.latencyApartP99Ms), '≤ 50', target(r.kafka.latencyApartP99Ms, 50, true)],
        ['memory.tensorsFlat', fmt(r.memory.tensorsFlat), 'yes', r.memory.tensorsFlat === null ? 'n/a' : r.memory.tensorsFlat ? 'met' : 'MISSED'],
      ],
    ),
  );
  out.push('');

  out.push('## Scoring (windows/s, in process)');
  if (r.scoring.reason !== null) out.push(`Note: ${r.scoring.reason}`);
  out.push('');
  const scoringRows = r.scoring.rows.map((row) => [row.model, row.backend, String(row.batchSize), fmt(row.windowsPerSec)]);
  for (const b of r.scoring.blas ?? []) scoringRows.push(['dense', `numpy/BLAS (${b.threads})`, String(b.batchSize), fmt(b.windowsPerSec)]);
  out.push(...table(['model', 'backend', 'batch', 'windows/s'], scoringRows));
  if (r.scoring.blasMaxAbsDiff !== null) out.push('', `tfjs vs numpy max |Δ| on the same windows: ${r.scoring.blasMaxAbsDiff.toExponential(2)}`);
  out.push('');

  out.push('## Training (windows/s per epoch)');
  if (r.training.reason !== null) out.push(`Note: ${r.training.reason}`);
  out.push('');
  const trainingRows = r.training.rows.map((row) => [row.model, trainingLabel(row), String(row.batchSize), fmt(row.windowsPerSec)]);
  for (const k of r.training.keras ?? []) trainingRows.push([k.model, 'Keras (Python)', String(k.batchSize), fmt(k.windowsPerSec)]);
  out.push(...table(['model', 'backend', 'batch', 'windows/s'], trainingRows));
  const prod = r.training.production;
  if (prod !== null) {
    out.push(
      '',
      `Production case: ${prod.kind} (the default model config) on ${prod.windows} windows (${prod.trainWindows} trained on), ` +
        `${prod.epochs} epochs, batch ${prod.batchSize}, ${prod.backend}: ${prod.wallSeconds.toFixed(1)} s wall ` +
        `(${fmt(prod.windowsPerSec)} training windows/s over the whole run), held-out MSE ${prod.valLoss.toPrecision(4)}`,
    );
  }
  out.push('');

  out.push('## Kafka path (real broker)');
  if (r.kafka.reason !== null) out.push(`Note: ${r.kafka.reason}`);
  out.push('');
  out.push(
    ...table(
      ['round', 'sensorwatch ingest (Avro, 8 channels), readings/s', "Kafka's ConsumerPerformance, same topic, readings/s", 'ratio'],
      [
        ...r.kafka.ingestRounds.map((g, i) => [String(i + 1), fmt(g.ingestReadingsPerSec), fmt(g.perfToolReadingsPerSec), fmt(g.ratio)]),
        ['median', fmt(r.kafka.ingestReadingsPerSec), fmt(r.kafka.perfToolReadingsPerSec), fmt(r.kafka.ingestRatio)],
      ],
    ),
  );
  out.push('');
  out.push(
    ...table(
      ['offered/s', 'processes', 'run', 'achieved/s', 'windows', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'of which generator p50/p99', 'reading → window published p50/p99', 'event-loop delay p99', 'window bunching'],
      r.kafka.latency.map((l) => [
        fmt(l.offeredPerSec),
        String(l.processes),
        String(l.repeat),
        fmt(l.achievedPerSec),
        String(l.windows),
        fmt(l.p50Ms),
        fmt(l.p95Ms),
        fmt(l.p99Ms),
        fmt(l.maxMs),
        `${fmt(l.generatorP50Ms)} / ${fmt(l.generatorP99Ms)}`,
        `${fmt(l.ingestP50Ms)} / ${fmt(l.ingestP99Ms)}`,
        fmt(l.eventLoopDelayP99Ms),
        fmt(l.windowBunching),
      ]),
    ),
  );
  out.push('');
  for (const l of r.kafka.latency) {
    if (l.stages.length === 0) continue;
    out.push(`Stages, ${fmt(l.offeredPerSec)}/s, ${l.processes} process${l.processes === 1 ? '' : 'es'}, run ${l.repeat}:`);
    out.push('');
    out.push(...table(['stage', 'windows', 'p50 ms', 'p99 ms', 'slowest 1 %: mean ms'], l.stages.map((s) => [s.stage, String(s.windows), fmt(s.p50Ms), fmt(s.p99Ms), fmt(s.slowestMeanMs)])));
    out.push('');
  }

  out.push('## Memory');
  if (r.memory.reason !== null) out.push(`Note: ${r.memory.reason}`);
  out.push('');
  const mm = r.memory;
  out.push(
    ...table(
      ['figure', 'value'],
      [
        ['windows scored in the long run', fmt(mm.scorerWindows)],
        ['scorer RSS start → end', `${mib(mm.scorerRssStartBytes)} → ${mib(mm.scorerRssEndBytes)}`],
        ['tf tensors start → end', `${fmt(mm.tensorsStart)} → ${fmt(mm.tensorsEnd)}`],
        ['tensor count flat', fmt(mm.tensorsFlat)],
        ['models loaded', fmt(mm.modelsLoaded)],
        ['RSS per model', mm.bytesPerModel === null ? '—' : `${(mm.bytesPerModel / 1024).toFixed(1)} KiB`],
        ['tensor bytes per model', mm.tensorBytesPerModel === null ? '—' : `${(mm.tensorBytesPerModel / 1024).toFixed(1)} KiB`],
      ],
    ),
  );
  out.push('');
  return out.join('\n');
}
