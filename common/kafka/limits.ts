// Sizes the adapter and the brokers it talks to agree on.

/**
 * Largest record batch the broker accepts. Model artifacts are published in
 * chunks (trainer) well below this; 2 MiB leaves room for headers and batching.
 * kafkajs consumers still receive an oversized first batch (fetch v3+), so this
 * is the only size limit that matters locally.
 */
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
