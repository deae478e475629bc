// `sensorwatch alerts tail` / `sensorwatch dead-letters tail`: flags, config,
// brokers, then the Kafka edge; stdout gets the JSON lines, stderr the rest.
import { createKafka } from '../common/kafka/index.ts';
import { loadCliConfig, reportCliError, resolveBrokers, untilSignal } from '../common/service/edge.ts';
import { tailTopic } from './tail-kafka.ts';
import { parseTailArgs, tailUsage, type TailKind } from './tail.ts';

export async function runTail(kind: TailKind, argv: string[], usage: string): Promise<number> {
  const parsed = parseTailArgs(argv);
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(usage);
      return 0;
    }
    process.stderr.write(`sensorwatch ${kind.command}: ${parsed.message}\n\n${usage}`);
    return 2;
  }
  const tail = parsed.options;
  let undecodable = 0;
  let closed = false;
  // `| head` closes the pipe: stop quietly instead of failing on EPIPE.
  const pipeClosed = new Promise<void>((resolve) => {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closed = true;
      resolve();
    });
  });
  try {
    const { config, log } = loadCliConfig(tail.config);
    const brokers = resolveBrokers(config, tail.brokers);
    const kafka = createKafka({ ...config.kafka, brokers }, log, { clientSuffix: `${kind.command}-tail` });
    const topic = config.topics[kind.topicKey];
    const run = await tailTopic({
      kafka,
      topic,
      kind,
      tail,
      sinks: {
        line: (text) => {
          if (!closed) process.stdout.write(`${text}\n`);
        },
        skipped: (where, error) => {
          undecodable++;
          process.stderr.write(`sensorwatch ${kind.command} tail: skipped ${topic} partition ${where.partition} offset ${where.offset}: ${error.message}\n`);
        },
      },
    });
    try {
      const ended = tail.follow ? new Promise<void>(() => undefined) : run.caughtUp;
      await Promise.race([ended, run.failed, untilSignal(), pipeClosed]);
    } finally {
      await run.stop();
    }
    return undecodable > 0 ? 1 : 0;
  } catch (err) {
    return reportCliError(`${kind.command} tail`, err);
  }
}

export const alertsUsage = tailUsage('alerts', 'the alert events (open, update, resolve) of topics.alerts', ['Each object has the AnomalyAlert fields (schemas/AnomalyAlert.avsc); times in ms.'], 'its sensorId');
export const deadLettersUsage = tailUsage(
  'dead-letters',
  'the dead letters of topics.deadLetter',
  [
    'Each object has the DeadLetter fields (schemas/DeadLetter.avsc); key and value (the',
    'original bytes) are UTF-8 text when printable, else base64: keyEncoding and',
    "valueEncoding say which ('utf8' | 'base64'; null for a null key).",
  ],
  "the dead letter's key: the original record's key",
);
