// The codec's public surface: import from 'common/codec/index.ts'.
export * from './headers.ts';
export * from './reading.ts';
export * from './records.ts';
export { readingType, readingV1Type, readingV1Resolver, windowType, alertType, modelUpdatedType, deadLetterType } from './schemas.ts';
