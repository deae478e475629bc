// Producers: idempotent by default, no topic auto-creation (topics are made
// explicitly with ensureTopics, so a typo fails instead of making a new topic).
import { Partitioners } from 'kafkajs';
import { kafkajsOf } from './client.ts';
import type { KafkaClient, Producer } from './types.ts';

export interface ProducerOptions {
  /**
   * Requests in flight per broker. 1 keeps per-partition order under retries
   * with kafkajs' idempotent producer; raise it only for throughput tests.
   */
  maxInFlightRequests?: number;
  /** Makes it a transactional producer. */
  transactionalId?: string;
}

export function createIdempotentProducer(client: KafkaClient, options: ProducerOptions = {}): Producer {
  return kafkajsOf(client).producer({
    idempotent: true,
    maxInFlightRequests: options.maxInFlightRequests ?? 1,
    allowAutoTopicCreation: false,
    // The murmur2 partitioner Java clients use: same key, same partition, whichever client wrote it.
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.transactionalId === undefined ? {} : { transactionalId: options.transactionalId }),
  });
}
