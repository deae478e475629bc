// The Kafka adapter's public surface. Import from here (or the files directly);
// nothing outside common/kafka/ imports kafkajs.
export { createKafka } from './client.ts';
export { kafkaClientOptions, type ClientOverrides } from './options.ts';
export { ensureTopics, fetchTopicEnds, deleteTopics, consumerLag, describeMismatch, partitionMismatches, type TopicSpec, type PartitionLag, type PartitionMismatch } from './admin.ts';
export { createIdempotentProducer, type ProducerOptions } from './producer.ts';
export { createOrderedProducer, chunkRecords, type OrderedProducer, type OrderedProducerOptions } from './ordered-producer.ts';
export { isTransientKafkaError, kafkaErrorType } from './retriable.ts';
export { createConsumer, runBatches, nextOffset, commitOffsetOf, type ConsumerOptions, type ConsumedBatch, type RunBatchesOptions, type BatchRun, type TakenBatch } from './consumer.ts';
export { startLocalBroker, readBrokerInfo, type LocalBroker, type LocalBrokerOptions } from './local-broker.ts';
export { MAX_MESSAGE_BYTES } from './broker-config.ts';
export type * from './types.ts';
export { runConsumerPerf, parseConsumerPerfOutput, type ConsumerPerfResult, type ConsumerPerfOptions } from './perf-tool.ts';
