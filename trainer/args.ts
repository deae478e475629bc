// `sensorwatch train` flags → options. Pure: argv in, options (or a FlagError) out.
// --kind, --backend and --epochs become config overrides that loadConfig checks
// with the file, cross-field rules included (`--kind conv` with a window length
// the conv model cannot halve is refused before any training starts).
import { backendChoices, modelKinds, orList } from '../common/config/enums.ts';
import { configOverrides, enumFlag, FlagError, numberFlag, parseFlags, positiveInt } from '../common/config/flags.ts';

export const trainUsage = `usage: sensorwatch train [--once] [--synthetic] [--kind ${modelKinds.join('|')}] [--json]
                       [--backend ${backendChoices.join('|')}] [--config FILE] [--brokers LIST]
                       [--epochs N] [--seconds N] [--metrics-port N] [--quiet]

  --once        train every model key once, then exit (default: run on trainer.schedule, and
                train a model key's first model as soon as trainer.minWindows windows exist;
                SIGHUP re-reads the config file)
  --synthetic   with --once: train on simulator data (--seconds of it, default 300) without Kafka;
                the model is saved to trainer.modelDir
  --kind        model kind: ${orList(modelKinds)} (overrides model.kind)
  --json        print one JSON object per trained model key on stdout
  --backend     force a TensorFlow.js backend (overrides trainer.backend)
  --epochs      overrides model.training.epochs
  --quiet       no progress bar on stderr
`;

export interface TrainOptions {
  help: boolean;
  once: boolean;
  synthetic: boolean;
  json: boolean;
  quiet: boolean;
  seconds: number;
  metricsPort: number | undefined;
  config: string | undefined;
  brokers: string | undefined;
  /** Config overrides from --kind, --backend, --epochs (a partial config object); empty when none is given. */
  overrides: Record<string, unknown>;
}

/** Throws a FlagError naming the flag and what it must be. */
export function parseTrainArgs(argv: readonly string[]): TrainOptions {
  const v = parseFlags(argv, {
    once: { type: 'boolean' },
    synthetic: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    kind: { type: 'string' },
    backend: { type: 'string' },
    epochs: { type: 'string' },
    seconds: { type: 'string' },
    'metrics-port': { type: 'string' },
    config: { type: 'string' },
    brokers: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help === true) return { help: true, once: false, synthetic: false, json: false, quiet: false, seconds: 300, metricsPort: undefined, config: undefined, brokers: undefined, overrides: {} };
  const kind = enumFlag('kind', v.kind, modelKinds);
  const backend = enumFlag('backend', v.backend, backendChoices);
  const epochs = numberFlag('epochs', v.epochs, positiveInt, 'a positive integer');
  const seconds = numberFlag('seconds', v.seconds, positiveInt, 'a positive integer');
  const metricsPort = numberFlag('metrics-port', v['metrics-port'], (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number 0-65535');
  if (v.synthetic === true && v.once !== true) throw new FlagError('--synthetic needs --once (the scheduled service trains from the windows topic)');
  return {
    help: false,
    once: v.once === true,
    synthetic: v.synthetic === true,
    json: v.json === true,
    quiet: v.quiet === true,
    seconds: seconds ?? 300,
    metricsPort,
    config: v.config,
    brokers: v.brokers,
    overrides: configOverrides({ 'model.kind': kind, 'model.training.epochs': epochs, 'trainer.backend': backend }),
  };
}
