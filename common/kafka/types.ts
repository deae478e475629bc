// The kafkajs types the rest of sensorwatch may name. Only common/kafka/
// imports kafkajs (house style 3): swapping the client touches this folder.
export type {
  Admin,
  Consumer,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
  RecordMetadata,
  TopicPartitionOffsetAndMetadata,
} from 'kafkajs';
