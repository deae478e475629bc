// Errors carry a code, a cause and whether retrying can help (house style 5).
export interface ErrorOptions {
  code: string;
  retriable?: boolean;
  cause?: unknown;
  /** Extra context: the key, topic, offset or file the error is about. */
  details?: Record<string, unknown>;
}

export class SensorwatchError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: ErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SensorwatchError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}
