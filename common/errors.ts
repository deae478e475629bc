// Errors carry a code, a cause and whether retrying can help (house style 5).
// Every code is in `errorCodes`, lower_snake, with whether a retry helps; a
// call site overrides `retriable` only where it knows better than the list.
// Dead-letter reasons (common/dead-letter.ts, schemas/) are a separate list.

export const errorCodes = {
  // configuration and command lines
  config_invalid: { retriable: false, what: 'a configuration key (file, environment or flag) has a value the product cannot use' },
  usage: { retriable: false, what: 'a command was called with a flag or argument it does not take' },
  no_brokers: { retriable: false, what: 'no Kafka brokers are configured and no local broker is running' },
  sasl_incomplete: { retriable: false, what: 'SASL is on but the username or password is empty' },
  tls_file_unreadable: { retriable: false, what: 'a kafka.tls file cannot be read' },

  // Kafka (kafka_<broker error type> codes come from common/kafka/errors.ts)
  kafka_unavailable: { retriable: true, what: 'the brokers could not be reached (retries exhausted)' },
  kafka_failed: { retriable: false, what: 'a Kafka call failed in a way retrying cannot fix' },
  kafka_client_unknown: { retriable: false, what: 'a Kafka client not made by createKafka was passed in' },
  kafka_consumer_unknown: { retriable: false, what: 'a consumer not made by createConsumer was passed in' },
  topic_not_found: { retriable: false, what: 'a topic does not exist' },
  publish_closed: { retriable: true, what: 'the ordered producer stopped publishing (stop or an earlier failure); records were not sent' },
  publish_failed: { retriable: false, what: 'a publish failed and later records were held back to keep their order' },
  state_not_caught_up: { retriable: true, what: "the scorer's state topic was not read to its end in time" },
  state_corrupt: { retriable: false, what: "a sensor's state record on the state topic has a field of the wrong kind (it is skipped)" },
  state_format_unknown: { retriable: false, what: "a sensor's state record was written in a newer format than this scorer reads (it is skipped)" },
  verdicts_not_caught_up: { retriable: true, what: 'the verdicts topic was not read to its end in time' },
  alert_not_found: { retriable: false, what: 'no alert with that id (or no alert of that sensor in that range) is on the alerts topic' },

  // services
  ingest_consumer_crash: { retriable: false, what: "ingest's consumer crashed and will not restart" },
  ingest_failed: { retriable: false, what: 'ingest stopped after a fatal error' },
  ingest_publish_failed: { retriable: true, what: 'publishing windows or dead letters failed; a restart replays from the committed offsets' },
  metrics_listen_failed: { retriable: false, what: 'the metrics/health HTTP server cannot listen on its host and port' },

  // records and schemas
  bad_avro: { retriable: false, what: 'a record is not valid Avro of the expected schema' },
  bad_window: { retriable: false, what: 'a decoded window breaks the window invariants' },
  internal: { retriable: false, what: 'a record could not be encoded (a bug)' },
  schemas_not_found: { retriable: false, what: 'the schemas/ folder that ships with the code is missing' },
  schema_unreadable: { retriable: false, what: 'an Avro schema file cannot be read or parsed' },

  // models
  backend_unavailable: { retriable: false, what: 'no TensorFlow.js backend of the configured choice could be loaded' },
  backend_not_initialised: { retriable: false, what: 'a backend was asked for before initBackend()' },
  no_training_data: { retriable: false, what: 'there are no windows to fit normalisation on' },
  not_enough_windows: { retriable: false, what: 'fewer training windows than a model needs' },
  training_diverged: { retriable: false, what: 'training produced a non-finite loss' },
  no_calibration_data: { retriable: false, what: 'there are no errors to calibrate a threshold from' },
  window_incompatible: { retriable: false, what: "a window's channels or length do not match the model's" },
  model_save_failed: { retriable: false, what: 'a model could not be serialised' },
  model_corrupt: { retriable: false, what: 'a model artifact fails its checksum or format checks' },
  model_incompatible: { retriable: false, what: 'a model artifact was written by a newer format version' },
  model_invalid: { retriable: false, what: "a model artifact's metadata is not usable" },
  model_load_failed: { retriable: false, what: 'a model artifact could not be loaded for another reason' },
  model_not_found: { retriable: false, what: 'no model artifact with that key and version' },
  bad_model_record: { retriable: false, what: 'a model-artifacts record is malformed' },

  // eval and bench
  eval_bad_input: { retriable: false, what: 'an eval input file (CSV, labels, history, what-if) is malformed or missing' },
  eval_bad_split: { retriable: false, what: 'the train/test split leaves one side empty or out of range' },
  bench_export_unsupported: { retriable: false, what: 'a model cannot be exported to the reference implementation' },
  bench_reference_failed: { retriable: false, what: 'a Python reference run failed or ran past its time' },
  bench_failed: { retriable: false, what: 'a benchmark part could not complete' },
  bench_timeout: { retriable: true, what: 'a benchmark part waited past its deadline' },

  // the local broker tooling (common/kafka-local)
  local_broker_data_dir_in_use: { retriable: false, what: "another broker is using the local broker's data directory" },
  local_broker_port_in_use: { retriable: true, what: "the local broker's port was taken" },
  local_broker_start_failed: { retriable: false, what: 'the local broker exited while starting' },
  local_broker_start_timeout: { retriable: true, what: 'the local broker did not become ready in time' },
  local_broker_format_failed: { retriable: false, what: "formatting the local broker's storage failed" },
  local_broker_pom_invalid: { retriable: false, what: 'the pom that pins the Kafka version has no version' },
  java_missing: { retriable: false, what: 'java (JDK 17+) is not installed or JAVA_HOME is wrong' },
  maven_missing: { retriable: false, what: 'mvn (Maven) is not installed' },
  maven_failed: { retriable: true, what: 'fetching the Kafka jars with Maven failed (often the network)' },
  perf_tool_failed: { retriable: false, what: "Kafka's consumer perf tool failed" },
  perf_tool_output: { retriable: false, what: "Kafka's consumer perf tool printed output we cannot read" },
} as const satisfies Record<string, { retriable: boolean; what: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** A failed Kafka call with the broker's error type: `kafka_` and the type in lower case ('kafka_message_too_large'); the broker says whether it is retriable. */
export type KafkaBrokerErrorCode = `kafka_${string}`;

/** Pure: whether `code` is in the list. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

interface CommonOptions {
  cause?: unknown;
  /** Extra context: the key, topic, offset or file the error is about. */
  details?: Record<string, unknown>;
}

/** `retriable` defaults from the list; a broker error code must say it. */
export type ErrorOptions = CommonOptions & ({ code: ErrorCode; retriable?: boolean } | { code: KafkaBrokerErrorCode; retriable: boolean });

export class SensorwatchError extends Error {
  readonly code: ErrorCode | KafkaBrokerErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: ErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SensorwatchError';
    this.code = options.code;
    this.retriable = options.retriable ?? (isErrorCode(options.code) ? errorCodes[options.code].retriable : false);
    this.details = options.details ?? {};
  }
}
