// The records that flow between the services. Their wire form is the Avro
// schemas in schemas/*.avsc; these are the decoded shapes the code works with.

export const readingQualities = ['good', 'uncertain', 'bad'] as const;
export type ReadingQuality = (typeof readingQualities)[number];

/** One sample of one sensor: all channel values at one event time. */
export interface SensorReading {
  sensorId: string;
  /** Event time, milliseconds since the Unix epoch. */
  timestamp: number;
  /** Channel values in the configured channel order (windowing.channels). */
  values: number[];
  quality: ReadingQuality | null;
}

/** A run of `length` consecutive samples of one sensor, cut by event time. */
export interface SignalWindow {
  sensorId: string;
  /** Per-sensor window identity from event time: the grid slot of its first sample / hop (common/window/sensor-window.ts); the same after any restart or replay, strictly growing with start. */
  seq: number;
  /** Event time of the first and last sample, ms since the epoch. */
  start: number;
  end: number;
  channels: string[];
  /** Row-major samples: samples[t * channels.length + c]. */
  samples: number[];
  /** Samples that were filled in for gaps (see windowing.gapPolicy). */
  missing: number;
  /** Samples whose reading carried quality 'bad'. */
  badQuality: number;
  /** The sensor's type when the window was cut (sensorTypes; 'default' for the implicit type and records written before v2). */
  sensorType?: string;
}

export const alertStates = ['open', 'update', 'resolve'] as const;
export type AlertState = (typeof alertStates)[number];
export const alertKinds = ['anomaly', 'sensor_fault'] as const;
export type AlertKind = (typeof alertKinds)[number];

export interface ChannelContribution {
  channel: string;
  /** This channel's term of the alert's reconstructionError, same unit (see schemas/AnomalyAlert.avsc). */
  contribution: number;
}

export interface AnomalyAlert {
  /** Stable: derived from the sensor id and the window that opened the alert; it has one `open` and at most one `resolve`. */
  alertId: string;
  sensorId: string;
  state: AlertState;
  kind: AlertKind;
  /** For sensor faults: flatline | missing | out_of_range | bad_quality | silent. */
  fault: string | null;
  severity: string;
  /** Anomaly score in [0, 1] (thresholds.method: the calibrated likelihood by default); the lowest severity band opens. */
  score: number;
  /** The reported error, in one unit for every event of a sensor: the whole window's (averaged with likelihood), or the per-step one with thresholds.likelihood.error `step`. */
  reconstructionError: number;
  /** The level of reconstructionError at which the score reaches the open level, same unit. */
  threshold: number;
  /** With thresholds.likelihood.error `both`: the averaged per-step error and its open level (the score is the larger of the two errors' scores); else null (a v2 record reads as null). */
  stepError?: number | null;
  stepThreshold?: number | null;
  topChannels: ChannelContribution[];
  modelKey: string;
  modelVersion: number;
  windowStart: number;
  windowEnd: number;
  /** Why: a sensor fault's rule detail on open; `new_normal` when an excursion was learnt as the new level; else null. */
  reason: string | null;
  /** The sensor's type (sensorTypes; 'default' for the implicit type and records written before v5). */
  sensorType?: string;
  /** The alert (same sensor and kind) this one follows: it opened within scorer.hysteresis.holdOffSamples of that one's resolve, so both are one excursion; else null (a v3 record reads as null). */
  follows?: string | null;
}

export interface ModelUpdated {
  modelKey: string;
  version: number;
  kind: string;
  checksum: string;
  createdAt: number;
  /** Number of chunks of the artifact on the model-artifacts topic. */
  chunks: number;
  sizeBytes: number;
  threshold: number;
  thresholdMethod: string;
  backend: string;
  valLoss: number;
}

export const deadLetterReasons = [
  'bad_avro',
  'bad_json',
  'unknown_format',
  'missing_sensor_id',
  'bad_timestamp',
  'future_timestamp',
  'wrong_channel_count',
  'non_finite_value',
  'late',
  'bad_window',
  'internal',
  'key_mismatch',
  'unknown_sensor',
] as const;
export type DeadLetterReason = (typeof deadLetterReasons)[number];

export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: string;
  /** ingest | scorer | trainer */
  stage: string;
  reason: DeadLetterReason;
  message: string;
  key: Buffer | null;
  value: Buffer;
  /** When it was dead-lettered, ms since the epoch. */
  timestamp: number;
}

/** Simulator ground truth: one injected anomaly interval. */
export interface InjectedAnomaly {
  sensorId: string;
  kind: 'spike' | 'level_shift' | 'drift' | 'flatline' | 'noise_burst' | 'frequency_change';
  start: number;
  end: number;
  channels: number[];
}
