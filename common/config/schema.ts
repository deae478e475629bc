// Per-key documentation, constraints and environment names. The validator
// (validate.ts) walks the defaults' shape; this table adds what the shape
// cannot say. Every leaf key of the defaults must have a row here (a unit test
// checks), so the README's config table cannot drift from the code. Enum rules
// take their values from enums.ts, where the types derive from them too.
import {
  activations,
  backendChoices,
  corruptionKinds,
  gapPolicies,
  likelihoodCombines,
  likelihoodDistributions,
  likelihoodErrors,
  logLevels,
  modelKinds,
  normalisationKinds,
  orList,
  saslMechanisms,
  sparsityPenalties,
  thresholdMethods,
} from './enums.ts';

export type Rule =
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'number'; min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string'; nonEmpty?: boolean }
  | { kind: 'boolean' }
  | { kind: 'strings'; nonEmpty?: boolean; unique?: boolean }
  | { kind: 'ints'; min?: number; nonEmpty?: boolean }
  | { kind: 'map' }
  | { kind: 'list' };

export interface KeyDoc {
  doc: string;
  rule: Rule;
  /** Environment variable that overrides this key (connection settings only). */
  env?: string;
  unit?: string;
}

const pos = { kind: 'int', min: 1 } as const;
const frac = { kind: 'number', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true } as const;

export const keyDocs: Record<string, KeyDoc> = {
  'kafka.brokers': { doc: 'Bootstrap brokers, host:port. Empty: start the local single-node broker (demo).', rule: { kind: 'strings' }, env: 'KAFKA_BROKERS' },
  'kafka.clientId': { doc: 'Kafka client id prefix.', rule: { kind: 'string', nonEmpty: true }, env: 'KAFKA_CLIENT_ID' },
  'kafka.ssl': { doc: 'Connect with TLS.', rule: { kind: 'boolean' }, env: 'KAFKA_SSL' },
  'kafka.sasl.mechanism': { doc: `SASL mechanism: ${saslMechanisms.join(', ')}.`, rule: { kind: 'enum', values: saslMechanisms }, env: 'KAFKA_SASL_MECHANISM' },
  'kafka.sasl.username': { doc: 'SASL user name.', rule: { kind: 'string' }, env: 'KAFKA_SASL_USERNAME' },
  'kafka.sasl.password': { doc: 'SASL password.', rule: { kind: 'string' }, env: 'KAFKA_SASL_PASSWORD' },
  'kafka.tls.caFile': { doc: 'PEM file of the CA(s) that signed the brokers\' certificates (with kafka.ssl). Empty: the system CAs.', rule: { kind: 'string' }, env: 'KAFKA_TLS_CA_FILE' },
  'kafka.tls.certFile': { doc: 'PEM client certificate for mutual TLS; set together with kafka.tls.keyFile.', rule: { kind: 'string' }, env: 'KAFKA_TLS_CERT_FILE' },
  'kafka.tls.keyFile': { doc: 'PEM private key of the client certificate (unencrypted); never logged.', rule: { kind: 'string' }, env: 'KAFKA_TLS_KEY_FILE' },
  'kafka.tls.serverName': { doc: 'Name to verify the brokers\' certificates against (SNI), when it differs from the host in kafka.brokers.', rule: { kind: 'string' }, env: 'KAFKA_TLS_SERVER_NAME' },
  'kafka.localBroker.port': { doc: 'Port of the local broker started when no brokers are set.', rule: { kind: 'int', min: 0, max: 65535 }, env: 'SENSORWATCH_KAFKA_PORT' },
  'kafka.localBroker.dataDir': { doc: 'Data directory of the local broker.', rule: { kind: 'string', nonEmpty: true } },
  'kafka.unreachableNotReadyMs': { doc: '/healthz answers 503 once the brokers have been unreachable this long (0: never).', rule: { kind: 'int', min: 0 }, unit: 'ms' },
  'topics.readings': { doc: 'Raw sensor readings (Avro or JSON).', rule: { kind: 'string', nonEmpty: true } },
  'topics.windows': { doc: 'Signal windows published by ingest.', rule: { kind: 'string', nonEmpty: true } },
  'topics.alerts': { doc: 'Alert lifecycle events.', rule: { kind: 'string', nonEmpty: true } },
  'topics.models': { doc: 'ModelUpdated events.', rule: { kind: 'string', nonEmpty: true } },
  'topics.modelArtifacts': { doc: 'Compacted topic holding chunked model artifacts.', rule: { kind: 'string', nonEmpty: true } },
  'topics.deadLetter': { doc: 'Records that could not be processed, with the reason.', rule: { kind: 'string', nonEmpty: true } },
  'topics.labels': { doc: 'Injected-anomaly labels from the simulator (JSON).', rule: { kind: 'string', nonEmpty: true } },
  'topics.verdicts': { doc: 'Operators\' verdicts on alerts (`sensorwatch alerts mark`); the scorer and the trainer read them.', rule: { kind: 'string', nonEmpty: true } },
  'topics.partitions': { doc: 'Partitions for topics sensorwatch creates.', rule: pos },
  'topics.replicationFactor': { doc: 'Replication factor for topics sensorwatch creates.', rule: pos },
  'windowing.channels': { doc: 'Channel names, in the order of `values` in readings.', rule: { kind: 'strings', nonEmpty: true, unique: true } },
  'windowing.units': { doc: 'Channel name → unit (e.g. `degC`), shown with the channel in alerts; any subset of the channels.', rule: { kind: 'map' } },
  'windowing.length': { doc: 'Samples per window.', rule: { kind: 'int', min: 2, max: 100_000 }, unit: 'samples' },
  'windowing.hop': { doc: 'Samples between the starts of consecutive windows (≤ length).', rule: pos, unit: 'samples' },
  'windowing.samplePeriodMs': { doc: 'Expected time between two readings of one sensor; gaps are measured in it.', rule: { kind: 'number', min: 0, exclusiveMin: true }, unit: 'ms' },
  'windowing.allowedLatenessMs': { doc: 'How far behind the newest reading of a sensor a reading may arrive and still be reordered in; later ones are dead-lettered as `late`.', rule: { kind: 'number', min: 0 }, unit: 'ms' },
  'windowing.maxFutureMs': { doc: 'Readings further than this ahead of the ingest clock are dead-lettered as `future_timestamp`.', rule: { kind: 'number', min: 0 }, unit: 'ms' },
  'windowing.gapPolicy': { doc: '`fill`: carry the last value over gaps up to maxGapSamples (counted as missing); `reset`: any gap starts a fresh window.', rule: { kind: 'enum', values: gapPolicies } },
  'windowing.maxGapSamples': { doc: 'Longest gap filled under `fill`; a longer gap starts a fresh window.', rule: { kind: 'int', min: 0 }, unit: 'samples' },
  'windowing.idleAfterMs': { doc: 'A sensor silent this long in event time (by the newest reading of its partition) is closed: its buffered samples are released and ingest stops holding the partition offset for it; its next reading starts a fresh window.', rule: { kind: 'number', min: 0 }, unit: 'ms' },
  'model.kind': { doc: '`dense`, `dae` (denoising), `sae` (sparse) or `conv` (1D convolutional) autoencoder.', rule: { kind: 'enum', values: modelKinds } },
  'model.hidden': { doc: 'Encoder layer sizes (dense kinds); the decoder mirrors them.', rule: { kind: 'ints', min: 1 } },
  'model.codeSize': { doc: 'Units in the code (bottleneck) layer.', rule: pos },
  'model.activation': { doc: 'Hidden activation: relu (He init), tanh or sigmoid (Glorot init).', rule: { kind: 'enum', values: activations } },
  'model.normalisation': { doc: 'Per-channel normalisation: `zscore` (mean/std) or `robust` (median/IQR) of the training data; or `window`: each window centred on its own mean and scaled by the training spread around those means, so the model judges the shape and not the level (sensors of one type at different operating points; a change of level then alarms through the new-extreme rule, thresholds.novelty).', rule: { kind: 'enum', values: normalisationKinds } },
  'model.noise.kind': { doc: 'Denoising corruption: gaussian (σ = level), masking (fraction zeroed), salt_and_pepper (fraction set to min/max).', rule: { kind: 'enum', values: corruptionKinds } },
  'model.noise.level': { doc: 'Corruption level: σ for gaussian, fraction for masking and salt_and_pepper.', rule: { kind: 'number', min: 0 } },
  'model.sparsity.penalty': { doc: 'Sparse AE penalty: `kl` (β·Σ KL(ρ‖ρ̂ⱼ), sigmoid code) or `l1` (λ·mean|h|).', rule: { kind: 'enum', values: sparsityPenalties } },
  'model.sparsity.rho': { doc: 'Target mean code activation ρ for `kl`.', rule: frac },
  'model.sparsity.beta': { doc: 'Weight β of the KL penalty.', rule: { kind: 'number', min: 0 } },
  'model.sparsity.lambda': { doc: 'Weight λ of the L1 penalty.', rule: { kind: 'number', min: 0 } },
  'model.conv.filters': { doc: 'Filters per encoder convolution (conv kind).', rule: { kind: 'ints', min: 1, nonEmpty: true } },
  'model.conv.kernelSize': { doc: 'Convolution kernel size, in samples.', rule: pos, unit: 'samples' },
  'model.training.epochs': { doc: 'Maximum epochs (early stopping may end sooner).', rule: pos },
  'model.training.batchSize': { doc: 'Windows per training batch.', rule: pos },
  'model.training.learningRate': { doc: 'Adam learning rate.', rule: { kind: 'number', min: 0, exclusiveMin: true } },
  'model.training.validationFraction': { doc: 'Latest fraction of the training windows held out (time-ordered) for validation and threshold calibration.', rule: frac },
  'model.training.patience': { doc: 'Epochs without validation improvement before early stopping.', rule: pos },
  'model.training.seed': { doc: 'Seed for initialisation, noise and shuffles (reproducible runs).', rule: { kind: 'int', min: 0 } },
  'model.groups': { doc: 'Model key → sensor ids that share that model; other sensors use the `default` model.', rule: { kind: 'map' } },
  'thresholds.method': { doc: '`likelihood` (per sensor: the tail probability of the short-term averaged error under a long-memory estimate of its distribution, as a score in [0, 1]); or a threshold on the raw error, scored r / (1 + r) of r = error / threshold: `quantile`, `mean_std`, `pot` (peaks over threshold, EVT), `static`, `adaptive` (per sensor: exp(mean + k·std) of recent log errors of normal windows, calibrated like `quantile`). A key that only other methods read is refused when set to other than its default (the message names the methods that read it).', rule: { kind: 'enum', values: thresholdMethods } },
  'thresholds.quantile': { doc: '`quantile`: quantile q of held-out errors.', rule: frac },
  'thresholds.multiplier': { doc: '`quantile`: multiplier applied to the quantile.', rule: { kind: 'number', min: 0, exclusiveMin: true } },
  'thresholds.k': { doc: '`mean_std`: threshold = mean + k·σ of held-out errors.', rule: { kind: 'number', min: 0 } },
  'thresholds.potInitialQuantile': { doc: '`pot`: initial high quantile whose excesses are fitted with a generalised Pareto distribution.', rule: frac },
  'thresholds.potRisk': { doc: '`pot`: target probability of exceeding the threshold on normal data.', rule: frac },
  'thresholds.value': { doc: '`static`: the threshold on the reconstruction error.', rule: { kind: 'number', min: 0, exclusiveMin: true } },
  'thresholds.adaptiveHalfLife': { doc: '`adaptive`: windows after which a past error\'s weight in the running mean and variance has halved.', rule: { kind: 'number', min: 1 }, unit: 'windows' },
  'thresholds.adaptiveK': { doc: '`adaptive`: threshold = exp(mean + k·std) of the log errors of recent windows below threshold.', rule: { kind: 'number', min: 0 } },
  'thresholds.adaptiveFloor': { doc: '`adaptive`: the threshold never goes below this × the calibrated (`quantile`) threshold.', rule: { kind: 'number', min: 0 } },
  'thresholds.likelihood.error': { doc: '`likelihood`: the error judged: `window` (the whole window\'s mean squared error), `step` (the window\'s newest hop samples, channels standardised), or `both` (each with its own estimate; the larger score counts; alerts report the window\'s error in `reconstructionError`/`threshold`, the per-step one in `stepError`/`stepThreshold`).', rule: { kind: 'enum', values: likelihoodErrors } },
  'thresholds.likelihood.combine': { doc: '`likelihood`: channels combine by the `mean` of their standardised squared residuals, or their `max` (one channel\'s fault among many quiet ones).', rule: { kind: 'enum', values: likelihoodCombines } },
  'thresholds.likelihood.averageSamples': { doc: '`likelihood`: samples in the short-term average of the per-step error that is judged.', rule: pos, unit: 'samples' },
  'thresholds.likelihood.historySamples': { doc: '`likelihood`: memory of the per-sensor estimate of the error distribution (running, then exponentially weighted).', rule: pos, unit: 'samples' },
  'thresholds.likelihood.distribution': { doc: '`likelihood`: the shape of that estimate: a normal of the cube root of the averaged error (`cube_root`, Wilson–Hilferty: squared errors are skewed, roughly chi-square), of its log (`lognormal`), or of the error itself (`normal`).', rule: { kind: 'enum', values: likelihoodDistributions } },
  'thresholds.likelihood.minSpread': { doc: '`likelihood`: floor on the spread of that estimate, as a spread of the averaged error relative to its level (whatever the shape); a very clean sensor does not alarm on noise.', rule: { kind: 'number', min: 0 } },
  'thresholds.likelihood.warmupSamples': { doc: '`likelihood`: after the estimate is seeded from the held-out errors, this many samples are absorbed whatever they score (the seed is a prior, the sensor\'s own data decides; models that follow rescale the estimate and do not warm up again). An excursion already under way then is learnt capped at the open level, as after learnAfterQuietSamples, so it goes on alarming.', rule: { kind: 'int', min: 0 }, unit: 'samples' },
  'thresholds.likelihood.learnBelowScore': { doc: '`likelihood`: windows scoring below this teach the estimate what normal is; higher ones are kept out (an excursion: learnt once it is over, or as the new normal after scorer.newNormalAfter).', rule: { kind: 'number', min: 0, max: 1 } },
  'thresholds.likelihood.learnAfterQuietSamples': { doc: '`likelihood`: once a sensor has scored below learnBelowScore this long, the windows it kept out before (an excursion that is over) are learnt, so an excursion that keeps coming back becomes normal; one that persists stays anomalous (until scorer.newNormalAfter, counted over the excursion, dips included). 0: never learnt.', rule: { kind: 'int', min: 0 }, unit: 'samples' },
  'thresholds.novelty.enabled': { doc: 'A new extreme scores 1 (every method): a window whose new samples leave the range of every value its sensor has shown (the model\'s training windows, then every window since) by more than `tolerance` of that range\'s width. The range then takes the value in.', rule: { kind: 'boolean' } },
  'thresholds.novelty.tolerance': { doc: 'How far beyond the range seen a value must be to be a new extreme, as a fraction of the range\'s width.', rule: { kind: 'number', min: 0 } },
  'thresholds.perSensor': { doc: 'Sensor id → its threshold: method (quantile, mean_std, pot or static) and the keys that method reads (quantile, multiplier, k, potInitialQuantile, potRisk, value); only under a raw-error thresholds.method, refused under `likelihood` (use scorer.perSensor severities and hysteresis there); applied live, without retraining.', rule: { kind: 'map' } },
  'trainer.schedule': { doc: 'Retraining schedule: an interval (`30s`, `10m`, `1h`) or a cron expression (`0 * * * *`).', rule: { kind: 'string', nonEmpty: true } },
  'trainer.lookbackMs': { doc: 'How far back on the windows topic training data reaches.', rule: { kind: 'number', min: 0, exclusiveMin: true }, unit: 'ms' },
  'trainer.minWindows': { doc: 'Fewest windows needed to train a model key.', rule: { kind: 'int', min: 2 } },
  'trainer.maxWindows': { doc: 'Most windows used (the newest).', rule: { kind: 'int', min: 2 } },
  'trainer.excludeAlerted': { doc: 'Leave out windows that were alerted as anomalous.', rule: { kind: 'boolean' } },
  'trainer.promotionMargin': { doc: 'A candidate is promoted only if its validation error ≤ current × (1 + margin).', rule: { kind: 'number', min: 0 } },
  'trainer.modelDir': { doc: 'Local model cache directory.', rule: { kind: 'string', nonEmpty: true } },
  'trainer.backend': { doc: 'TensorFlow.js backend: auto (tensorflow, then wasm, then cpu), tensorflow, wasm, cpu.', rule: { kind: 'enum', values: backendChoices } },
  'scorer.batch.maxSize': { doc: 'Most windows per inference batch.', rule: pos },
  'scorer.batch.maxWaitMs': { doc: 'Longest a window waits for its batch to fill; a batch is cut at once when the windows fetched together are all in.', rule: { kind: 'number', min: 0 }, unit: 'ms' },
  'scorer.hysteresis.openAfter': { doc: 'An alert opens when at least this many of the last openWindow windows reach the lowest severity band (k of m).', rule: pos, unit: 'windows' },
  'scorer.hysteresis.openWindow': { doc: 'm in k-of-m (≥ openAfter); openAfter = openWindow means N consecutive.', rule: pos, unit: 'windows' },
  'scorer.hysteresis.resolveAfter': { doc: 'Consecutive windows scoring below releaseScore that resolve an open alert.', rule: pos, unit: 'windows' },
  'scorer.hysteresis.releaseScore': { doc: 'Score below which an open alert counts towards resolving (hysteresis on the value; ≤ the lowest band).', rule: { kind: 'number', min: 0, max: 1 } },
  'scorer.hysteresis.holdOffSamples': { doc: 'After a resolve, a new crossing within this many samples opens an alert that follows the resolved one (its `follows` names it; each alert id opens once).', rule: { kind: 'int', min: 0 }, unit: 'samples' },
  'scorer.severities': { doc: 'Severity bands: list of {name, minScore}, ascending; score in [0, 1] (the lowest band opens an alert).', rule: { kind: 'list' } },
  'scorer.faults.flatlineSamples': { doc: 'A channel unchanged (within flatlineEpsilon) for this many samples, and for longer than it ever stayed unchanged in one of the model\'s training windows, is a stuck sensor.', rule: { kind: 'int', min: 2 }, unit: 'samples' },
  'scorer.faults.flatlineEpsilon': { doc: 'Largest change still counted as unchanged.', rule: { kind: 'number', min: 0 } },
  'scorer.faults.maxMissingFraction': { doc: 'Gap-filled fraction of a window above which the sensor is faulty.', rule: { kind: 'number', min: 0, max: 1 } },
  'scorer.faults.ranges': { doc: 'Channel name → [min, max] physical range; values outside are a sensor fault.', rule: { kind: 'map' } },
  'scorer.topChannels': { doc: 'Contributing channels named in an alert.', rule: pos },
  'scorer.maxSensorsExported': { doc: 'Cap on live sensors exported with a `sensor` label (bounded cardinality; a silent sensor frees its place).', rule: { kind: 'int', min: 0 } },
  'scorer.silentAfterMs': { doc: 'A sensor with no window for this long is silent: its per-sensor series leave /metrics unless it has an open alert (0: never).', rule: { kind: 'int', min: 0 }, unit: 'ms' },
  'scorer.newNormalAfter': { doc: 'A change that keeps going this long (event time, from the first window the likelihood kept out; a duration `30m`, `6h`, `3d`, or `never`) is the new normal: the `likelihood` estimates move to it, its open alert resolves with reason `new_normal`, and the trainer takes the windows from then on (an alert keeps its sensor\'s windows out of training at most this long after it opened). A sensor whose signals return closes its alert without waiting for it.', rule: { kind: 'string', nonEmpty: true } },
  'scorer.backend': { doc: 'TensorFlow.js backend for scoring (as trainer.backend).', rule: { kind: 'enum', values: backendChoices } },
  'scorer.perSensor': { doc: 'Sensor id → {threshold, hysteresis, severities, faults, likelihood, novelty, newNormalAfter} overrides (threshold as in thresholds.perSensor: raw-error methods only; likelihood: any thresholds.likelihood key, under likelihood only; newNormalAfter as scorer.newNormalAfter, for the scorer and the trainer alike); applied live.', rule: { kind: 'map' } },
  'metrics.host': { doc: 'Address the /metrics and /healthz server binds.', rule: { kind: 'string', nonEmpty: true }, env: 'SENSORWATCH_METRICS_HOST' },
  'metrics.port': { doc: 'Port of the /metrics and /healthz server (0: any free port).', rule: { kind: 'int', min: 0, max: 65535 }, env: 'SENSORWATCH_METRICS_PORT' },
  'simulator.sensors': { doc: 'Simulated sensors.', rule: pos },
  'simulator.rateHz': { doc: 'Readings per second per simulated sensor.', rule: { kind: 'number', min: 0, exclusiveMin: true }, unit: 'Hz' },
  'simulator.anomalyEverySeconds': { doc: 'Mean event time between injected anomalies per sensor.', rule: { kind: 'number', min: 0, exclusiveMin: true }, unit: 's' },
  'simulator.seed': { doc: 'Simulator seed.', rule: { kind: 'int', min: 0 } },
  sensorTypes: { doc: 'Sensor types: list of {name, sensors, windowing, model, thresholds, scorer, trainer}; `sensors` are exact ids and globs (`*`, `?`), the first match in file order wins; each section is merged over the top-level one. Empty: one implicit type `default` with the top-level settings. See docs/operate.md.', rule: { kind: 'list' } },
  defaultSensorType: { doc: 'Type of a sensor that no type matches; empty: its readings are dead-lettered `unknown_sensor`.', rule: { kind: 'string' } },
  logLevel: { doc: `${orList(logLevels)} (logs are JSON lines on stderr).`, rule: { kind: 'enum', values: logLevels }, env: 'SENSORWATCH_LOG_LEVEL' },
};
