// The configuration's shape. Value lists live in enums.ts, defaults in defaults.ts, per-key docs in schema.ts;
// load.ts reads YAML + env, validates once, and returns one frozen Config.

import type {
  Activation,
  BackendChoice,
  CorruptionKind,
  LikelihoodCombine,
  LikelihoodDistribution,
  LikelihoodError,
  LogLevel,
  ModelKind,
  NormalisationKind,
  SaslMechanism,
  SparsityPenalty,
  ThresholdMethod,
  GapPolicy,
  TopicRole,
} from './enums.ts';

// The enum types derive from the value lists in enums.ts; re-exported so importers keep one path.
export type {
  Activation,
  BackendChoice,
  CorruptionKind,
  GapPolicy,
  LikelihoodCombine,
  LikelihoodDistribution,
  LikelihoodError,
  LogLevel,
  ModelKind,
  NormalisationKind,
  SaslMechanism,
  SparsityPenalty,
  ThresholdMethod,
};

export interface KafkaConfig {
  /** Empty: the local single-node broker is started (demo, tests). */
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl: { mechanism: SaslMechanism; username: string; password: string };
  /** TLS details (with ssl true): PEM files and the name to verify; '' = the system default. */
  tls: { caFile: string; certFile: string; keyFile: string; serverName: string };
  localBroker: { port: number; dataDir: string };
  /** /healthz turns not ready once the brokers have been unreachable this long; 0: never. */
  unreachableNotReadyMs: number;
}

/** A topic name per role (enums.ts topicRoles), and how topics are created. */
export type TopicsConfig = Record<TopicRole, string> & {
  partitions: number;
  replicationFactor: number;
};

export interface WindowingConfig {
  channels: string[];
  /** Channel name -> unit (`degC`, `bar`, …), for alerts and docs; optional per channel. */
  units: Record<string, string>;
  length: number;
  hop: number;
  /** Expected time between samples of one sensor, ms. */
  samplePeriodMs: number;
  allowedLatenessMs: number;
  maxFutureMs: number;
  gapPolicy: GapPolicy;
  /** With gapPolicy 'fill': longest gap (in samples) that is filled; longer gaps reset the window. */
  maxGapSamples: number;
  /** Event time a sensor may stay silent before ingest closes it (releases its buffer, lets the offset move on), ms. */
  idleAfterMs: number;
}

export interface ThresholdConfig {
  method: ThresholdMethod;
  quantile: number;
  multiplier: number;
  k: number;
  potInitialQuantile: number;
  potRisk: number;
  value: number;
}

/** Settings of the `likelihood` method (common/decision/likelihood.ts), model-wide. Lengths in samples, whatever the hop. */
export interface LikelihoodConfig {
  /** Which error is judged: the window's newest samples (`step`) or the whole window (`window`). */
  error: LikelihoodError;
  /** How channels combine into the per-step error: mean or largest standardised channel term. */
  combine: LikelihoodCombine;
  /** Samples in the short-term average of the error that is judged. */
  averageSamples: number;
  /** Memory of the distribution estimate, in samples (the weight of a window never drops below hop / historySamples). */
  historySamples: number;
  /** The estimate's shape: a normal of the averaged error, of its log, or of its cube root (Wilson–Hilferty: skewed squared errors). */
  distribution: LikelihoodDistribution;
  /** Floor on the estimate's spread, as a spread of the averaged error relative to its level (whatever the shape). */
  minSpread: number;
  /** Samples after seeding during which every window is absorbed (the held-out seed is only a prior). */
  warmupSamples: number;
  /** Score below which a window is normal enough to be absorbed. */
  learnBelowScore: number;
  /** Samples below learnBelowScore after which the windows kept out (an excursion that is over) are learnt; 0: never. */
  learnAfterQuietSamples: number;
}

/** The new-extreme rule (common/decision/novelty.ts), model-wide and for every method. */
export interface NoveltyConfig {
  enabled: boolean;
  /** A value beyond the range seen by more than this fraction of its width is novel. */
  tolerance: number;
}

/** Settings of the `adaptive` method (scorer/adaptive.ts), model-wide. */
export interface AdaptiveThresholdConfig {
  /** Windows after which a past log error's weight has halved. */
  adaptiveHalfLife: number;
  /** Threshold = exp(mean + k·std) of recent log errors. */
  adaptiveK: number;
  /** The adaptive threshold never goes below this × the calibrated threshold. */
  adaptiveFloor: number;
}

export interface ModelConfig {
  kind: ModelKind;
  /** Encoder layer sizes (dense kinds); the decoder mirrors them. */
  hidden: number[];
  codeSize: number;
  activation: Activation;
  normalisation: NormalisationKind;
  noise: { kind: CorruptionKind; level: number };
  sparsity: { penalty: SparsityPenalty; rho: number; beta: number; lambda: number };
  conv: { filters: number[]; kernelSize: number };
  training: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    validationFraction: number;
    patience: number;
    seed: number;
  };
  /** Model key -> sensor ids sharing that model. Sensors not listed use the 'default' model. */
  groups: Record<string, string[]>;
}

export interface TrainerConfig {
  /** Interval like '10m', '1h', or a cron expression like '0 * * * *'. */
  schedule: string;
  /** How far back training data reaches on the windows topic, ms. */
  lookbackMs: number;
  minWindows: number;
  maxWindows: number;
  excludeAlerted: boolean;
  /** Candidate promoted only if its val error <= current * (1 + margin). */
  promotionMargin: number;
  modelDir: string;
  backend: BackendChoice;
}

export interface Severity {
  name: string;
  /** Lowest anomaly score (in [0, 1]) of this band. */
  minScore: number;
}

export interface HysteresisConfig {
  /** Open when at least `openAfter` of the last `openWindow` windows reach the lowest severity band. */
  openAfter: number;
  openWindow: number;
  /** Resolve after this many consecutive windows with a score below releaseScore. */
  resolveAfter: number;
  /** Score below which an open alert counts towards resolving (≤ the lowest band's minScore). */
  releaseScore: number;
  /** Samples after a resolve during which a new crossing opens an alert that follows the resolved one (AnomalyAlert.follows). */
  holdOffSamples: number;
}

export interface FaultConfig {
  /** A channel that does not change by more than flatlineEpsilon over this many samples is stuck. */
  flatlineSamples: number;
  flatlineEpsilon: number;
  /** Fraction of gap-filled samples in a window above which the sensor is faulty. */
  maxMissingFraction: number;
  /** Physical range per channel name: [min, max]. */
  ranges: Record<string, [number, number]>;
}

export interface SensorOverride {
  threshold?: Partial<ThresholdConfig>;
  hysteresis?: Partial<HysteresisConfig>;
  severities?: Severity[];
  faults?: Partial<FaultConfig>;
  /** This sensor's thresholds.likelihood keys (under `likelihood`). */
  likelihood?: Partial<LikelihoodConfig>;
  /** This sensor's thresholds.novelty keys (every method). */
  novelty?: Partial<NoveltyConfig>;
  /** This sensor's scorer.newNormalAfter (a duration or `never`). */
  newNormalAfter?: string;
}

export interface ScorerConfig {
  batch: { maxSize: number; maxWaitMs: number };
  hysteresis: HysteresisConfig;
  severities: Severity[];
  faults: FaultConfig;
  topChannels: number;
  /** Cap on sensors exported with a per-sensor label (bounded cardinality). */
  maxSensorsExported: number;
  /** A sensor without a window for this long is silent (its series leave /metrics unless an alert is open); 0: never. */
  silentAfterMs: number;
  /** A change that keeps going this long (a duration, '30m', '3d', or 'never') is learnt as the new normal and its alert resolves `new_normal` (decision/new-normal.ts). */
  newNormalAfter: string;
  backend: BackendChoice;
}

export interface MetricsConfig {
  host: string;
  port: number;
}

export interface SimulatorConfig {
  sensors: number;
  /** Readings per second per sensor. */
  rateHz: number;
  /** Mean seconds between injected anomalies per sensor. */
  anomalyEverySeconds: number;
  seed: number;
}

/**
 * One kind of sensor (issue 22): which sensor ids it covers and its settings,
 * each section deep-merged over the top-level one (common/config/sensor-types.ts).
 */
export interface SensorTypeConfig {
  name: string;
  /** Exact ids and globs (`*`, `?`); the first match over all types, in file order, wins. */
  sensors: string[];
  windowing?: Partial<Omit<WindowingConfig, 'maxFutureMs'>>;
  model?: DeepPartial<ModelConfig>;
  thresholds?: DeepPartial<Omit<Config['thresholds'], 'perSensor'>>;
  scorer?: DeepPartial<Pick<ScorerConfig, 'hysteresis' | 'severities' | 'faults' | 'topChannels' | 'silentAfterMs'>>;
  trainer?: Partial<Pick<TrainerConfig, 'minWindows' | 'maxWindows' | 'lookbackMs'>>;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface Config {
  kafka: KafkaConfig;
  topics: TopicsConfig;
  windowing: WindowingConfig;
  model: ModelConfig;
  thresholds: ThresholdConfig & AdaptiveThresholdConfig & { likelihood: LikelihoodConfig; novelty: NoveltyConfig; perSensor: Record<string, Partial<ThresholdConfig>> };
  trainer: TrainerConfig;
  scorer: ScorerConfig & { perSensor: Record<string, SensorOverride> };
  metrics: MetricsConfig;
  simulator: SimulatorConfig;
  logLevel: LogLevel;
  /** [] = one implicit type `default` covering every sensor with the top-level settings. */
  sensorTypes: SensorTypeConfig[];
  /** Type of a sensor no type's `sensors` match; '' = none: its readings are dead-lettered `unknown_sensor`. */
  defaultSensorType: string;
}
