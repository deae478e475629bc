// The Kafka adapter's public surface, in our words (types.ts). Import from
// here (or the files directly); nothing outside common/kafka/ imports kafkajs
// or names its types (eslint.config.js keeps it so).
export { createKafka } from './client.ts';
export { kafkaClientOptions, type ClientOverrides } from './options.ts';
export { ensureTopics, fetchTopicEnds, deleteTopics, deleteGroupQuietly, consumerLag, describeMismatch, partitionMismatches, type TopicSpec, type PartitionLag, type PartitionMismatch } from './admin.ts';
export { createIdempotentProducer, type ProducerOptions } from './producer.ts';
export { createOrderedProducer, chunkRecords, type OrderedProducer, type OrderedProducerOptions } from './ordered-producer.ts';
export { isTransientKafkaError, kafkaErrorType } from './retriable.ts';
export { kafkaError, kafkaErrorCode } from './errors.ts';
export { createConsumer, runBatches, nextOffset, commitOffsetOf, type ConsumerOptions, type ConsumedBatch, type RunBatchesOptions, type BatchRun, type TakenBatch } from './consumer.ts';
export { readTopic, readPlan, topicRanges, type PartitionRange, type ReadTopicOptions, type TopicRead } from './read-topic.ts';
export { joinGroup, type GroupMembership, type MembershipOptions, type PartitionShare } from './membership.ts';
export { MAX_MESSAGE_BYTES } from './limits.ts';
export type * from './types.ts';
