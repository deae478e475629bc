// The embedded default configuration: what `npm start` runs with.
import { topicRoles, type TopicRole } from './enums.ts';
import type { Config } from './types.ts';

export const defaultConfig: Config = {
  kafka: {
    brokers: [],
    clientId: 'sensorwatch',
    ssl: false,
    sasl: { mechanism: 'none', username: '', password: '' },
    tls: { caFile: '', certFile: '', keyFile: '', serverName: '' },
    localBroker: { port: 9092, dataDir: '.data/kafka' },
    unreachableNotReadyMs: 30_000,
  },
  topics: {
    readings: 'sensorwatch.readings',
    windows: 'sensorwatch.windows',
    alerts: 'sensorwatch.alerts',
    models: 'sensorwatch.models',
    modelArtifacts: 'sensorwatch.model-artifacts',
    deadLetter: 'sensorwatch.dead-letter',
    labels: 'sensorwatch.labels',
    partitions: 3,
    replicationFactor: 1,
  },
  windowing: {
    channels: ['ch0', 'ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ch6', 'ch7'],
    units: {},
    length: 64,
    hop: 16,
    samplePeriodMs: 50,
    allowedLatenessMs: 2000,
    maxFutureMs: 60_000,
    gapPolicy: 'fill',
    maxGapSamples: 8,
    idleAfterMs: 300_000,
  },
  model: {
    kind: 'dae',
    hidden: [128],
    codeSize: 32,
    activation: 'relu',
    normalisation: 'zscore',
    noise: { kind: 'gaussian', level: 0.1 },
    sparsity: { penalty: 'kl', rho: 0.05, beta: 1, lambda: 1e-3 },
    conv: { filters: [16, 8], kernelSize: 5 },
    training: { epochs: 100, batchSize: 64, learningRate: 1e-3, validationFraction: 0.2, patience: 10, seed: 42 },
    groups: {},
  },
  thresholds: {
    method: 'likelihood',
    quantile: 0.995,
    multiplier: 1.2,
    k: 4,
    potInitialQuantile: 0.98,
    potRisk: 1e-3,
    value: 1,
    adaptiveHalfLife: 500,
    adaptiveK: 3,
    adaptiveFloor: 0.5,
    likelihood: { error: 'both', combine: 'max', averageSamples: 10, historySamples: 8640, distribution: 'cube_root', minSpread: 0.01, maxExcludeSamples: 1000, warmupSamples: 100, learnBelowScore: 0.3, learnAfterQuietSamples: 100 },
    novelty: { enabled: true, tolerance: 0.15 },
    perSensor: {},
  },
  trainer: {
    schedule: '10m',
    lookbackMs: 6 * 3600_000,
    minWindows: 200,
    maxWindows: 20_000,
    excludeAlerted: true,
    maxExcludeMs: 3600_000,
    promotionMargin: 0.1,
    modelDir: '.data/models',
    backend: 'auto',
  },
  scorer: {
    batch: { maxSize: 256, maxWaitMs: 20 },
    hysteresis: { openAfter: 1, openWindow: 1, resolveAfter: 1, releaseScore: 0.3, holdOffSamples: 200 },
    severities: [
      { name: 'warning', minScore: 0.5 },
      { name: 'critical', minScore: 0.75 },
    ],
    faults: { flatlineSamples: 32, flatlineEpsilon: 1e-9, maxMissingFraction: 0.25, ranges: {} },
    topChannels: 3,
    maxSensorsExported: 500,
    silentAfterMs: 120_000,
    backend: 'auto',
    perSensor: {},
  },
  metrics: { host: '127.0.0.1', port: 9464 },
  simulator: { sensors: 6, rateHz: 20, anomalyEverySeconds: 45, seed: 7 },
  logLevel: 'info',
  sensorTypes: [],
  defaultSensorType: '',
};

/** The default topic names under another prefix (`<prefix>.readings` …): tests, benchmarks, pipelines side by side on one cluster. */
export function topicNamesWithPrefix(prefix: string): Record<TopicRole, string> {
  const rename = (name: string): string => `${prefix}${name.slice(name.indexOf('.'))}`;
  return Object.fromEntries(topicRoles.map((role) => [role, rename(defaultConfig.topics[role])])) as Record<TopicRole, string>;
}
