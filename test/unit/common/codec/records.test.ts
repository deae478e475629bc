import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as codec from '../../../../common/codec/records.ts';
import { alertType, loadSchema } from '../../../../common/codec/schemas.ts';
import type { AnomalyAlert, DeadLetter, ModelUpdated, SignalWindow } from '../../../../common/types.ts';

const window: SignalWindow = { sensorId: 's', seq: 12, start: 1_700_000_000_000, end: 1_700_000_006_300, channels: ['a', 'b'], samples: [0.5, -1, 2, 3.25], missing: 1, badQuality: 0, sensorType: 'pump' };
const alert: AnomalyAlert = {
  alertId: 's:1700000000000', sensorId: 's', state: 'open', kind: 'sensor_fault', fault: 'flatline', severity: 'critical',
  score: 3.5, reconstructionError: 0.7, threshold: 0.2, stepError: 14, stepThreshold: 12.5, topChannels: [{ channel: 'a', contribution: 0.5 }, { channel: 'b', contribution: 0.2 }],
  modelKey: 'default', modelVersion: 3, windowStart: 1_700_000_000_000, windowEnd: 1_700_000_006_300, reason: 'flatline: a stuck for >= 32 samples', follows: 's:1699999990000', sensorType: 'pump',
};
const model: ModelUpdated = { modelKey: 'default', version: 4, kind: 'dae', checksum: 'ab12', createdAt: 1_700_000_000_000, chunks: 3, sizeBytes: 2_500_000, threshold: 0.02, thresholdMethod: 'pot', backend: 'wasm', valLoss: 0.01 };
const dead: DeadLetter = { sourceTopic: 't', partition: 2, offset: '9007199254740993', stage: 'ingest', reason: 'non_finite_value', message: 'm', key: Buffer.from('k'), value: Buffer.from([0, 1, 255]), timestamp: 1_700_000_000_000 };

const roundTrips: [string, unknown, (v: never) => Buffer, (b: Buffer) => unknown][] = [
  ['SignalWindow', window, codec.encodeWindow, codec.decodeWindow],
  ['AnomalyAlert', alert, codec.encodeAlert, codec.decodeAlert],
  ['AnomalyAlert (anomaly, no fault)', { ...alert, kind: 'anomaly', fault: null, state: 'resolve' }, codec.encodeAlert, codec.decodeAlert],
  ['AnomalyAlert (no per-step error)', { ...alert, stepError: null, stepThreshold: null }, codec.encodeAlert, codec.decodeAlert],
  ['AnomalyAlert (follows none)', { ...alert, follows: null }, codec.encodeAlert, codec.decodeAlert],
  ['ModelUpdated', model, codec.encodeModelUpdated, codec.decodeModelUpdated],
  ['DeadLetter', dead, codec.encodeDeadLetter, codec.decodeDeadLetter],
  ['DeadLetter without key', { ...dead, key: null }, codec.encodeDeadLetter, codec.decodeDeadLetter],
];

// avsc decodes into objects of generated classes; compare as plain data.
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('record codecs', () => {
  for (const [name, value, encode, decode] of roundTrips) {
    it(`${name} round trip`, () => assert.deepEqual(plain(decode(encode(value as never))), plain(value)));
  }

  const badDecodes: [string, () => unknown, string, RegExp][] = [
    ['window from garbage', () => codec.decodeWindow(Buffer.from([0xff, 0xff, 0xff])), 'bad_avro', /not a SignalWindow/],
    ['window from null', () => codec.decodeWindow(null), 'bad_avro', /empty/],
    ['window with ragged samples', () => codec.decodeWindow(codec.encodeWindow({ ...window, samples: [1, 2, 3] })), 'bad_window', /3 samples is not a multiple of 2 channels/],
    ['alert from a window', () => codec.decodeAlert(codec.encodeWindow(window)), 'bad_avro', /AnomalyAlert/],
    ['model update from garbage', () => codec.decodeModelUpdated(Buffer.from('{}')), 'bad_avro', /ModelUpdated/],
  ];
  for (const [name, fn, code, message] of badDecodes) {
    it(`throws ${code}: ${name}`, () => assert.throws(fn, (err: Error & { code?: string }) => err.code === code && message.test(err.message)));
  }

  it('refuses to encode a record that does not match its schema', () => {
    assert.throws(() => codec.encodeWindow({ ...window, seq: 'x' } as unknown as SignalWindow), /cannot encode SignalWindow/);
  });
});

describe('DeadLetter v2 (adds the key_mismatch reason)', async () => {
  const { deadLetterType, loadSchema } = await import('../../../../common/codec/schemas.ts');
  const v1 = loadSchema('history/DeadLetter.v1.avsc');
  const letter = { sourceTopic: 't', partition: 0, offset: '7', stage: 'ingest', reason: 'bad_json', message: 'm', key: null, value: Buffer.from('x'), timestamp: 1 };
  it('written with v1, read with v2', () => {
    const read = deadLetterType.fromBuffer(v1.toBuffer(letter), deadLetterType.createResolver(v1)) as DeadLetter;
    assert.equal(read.reason, 'bad_json');
  });
  it('a v1 reader reads the new code as internal', () => {
    const read = v1.fromBuffer(deadLetterType.toBuffer({ ...letter, reason: 'key_mismatch' }), v1.createResolver(deadLetterType)) as DeadLetter;
    assert.equal(read.reason, 'internal');
  });
});

describe('AnomalyAlert v3 (adds optional stepError, stepThreshold)', () => {
  const v2 = loadSchema('history/AnomalyAlert.v2.avsc');
  const { stepError: _e, stepThreshold: _t, follows: _f, sensorType: _st, ...v2Alert } = alert;
  it('written with v2, read with v3: the per-step pair is null', () => {
    const read = alertType.fromBuffer(v2.toBuffer(v2Alert), alertType.createResolver(v2)) as AnomalyAlert;
    assert.equal(read.stepError, null);
    assert.equal(read.stepThreshold, null);
    assert.equal(read.reconstructionError, 0.7);
    assert.equal(read.threshold, 0.2);
  });
  it('a v2 reader reads a v3 record, without the per-step pair', () => {
    const read = v2.fromBuffer(codec.encodeAlert(alert), v2.createResolver(alertType)) as Record<string, unknown>;
    assert.equal(read['threshold'], 0.2);
    assert.equal(read['reason'], alert.reason);
    assert.equal('stepError' in read, false);
  });
});

describe('AnomalyAlert v4 (adds optional follows)', () => {
  const v3 = loadSchema('history/AnomalyAlert.v3.avsc');
  const { follows: _f, sensorType: _st, ...v3Alert } = alert;
  it('written with v3, read with v4: follows is null, the rest as written', () => {
    const read = alertType.fromBuffer(v3.toBuffer(v3Alert), alertType.createResolver(v3)) as AnomalyAlert;
    assert.equal(read.follows, null);
    assert.deepEqual(plain({ ...read, follows: undefined, sensorType: undefined }), plain(v3Alert));
  });
  it('a v3 reader reads a v4 record, without follows', () => {
    const read = v3.fromBuffer(codec.encodeAlert({ ...alert, sensorType: 'default' }), v3.createResolver(alertType)) as Record<string, unknown>;
    assert.deepEqual(plain(read), plain(v3Alert));
    assert.equal('follows' in read, false);
  });
  it('an alert without follows (as built before v4) encodes it as null', () => {
    assert.equal(codec.decodeAlert(codec.encodeAlert(v3Alert)).follows, null);
  });
});

describe('AnomalyAlert v5 (adds sensorType, default "default")', () => {
  const v4 = loadSchema('history/AnomalyAlert.v4.avsc');
  const { sensorType: _st, ...v4Alert } = alert;
  it('written with v4, read with v5: sensorType is default, the rest as written', () => {
    const read = alertType.fromBuffer(v4.toBuffer(v4Alert), alertType.createResolver(v4)) as AnomalyAlert;
    assert.equal(read.sensorType, 'default');
    assert.deepEqual(plain({ ...read, sensorType: undefined }), plain(v4Alert));
  });
  it('a v4 reader reads a v5 record, without sensorType', () => {
    const read = v4.fromBuffer(codec.encodeAlert(alert), v4.createResolver(alertType)) as Record<string, unknown>;
    assert.deepEqual(plain(read), plain(v4Alert));
  });
  it('an alert without sensorType (as built before v5) encodes it as default', () => {
    assert.equal(codec.decodeAlert(codec.encodeAlert(v4Alert)).sensorType, 'default');
  });
});

describe('SignalWindow v2 (adds sensorType, default "default")', () => {
  const v1 = loadSchema('history/SignalWindow.v1.avsc');
  const { sensorType: _st, ...v1Window } = window;
  it('a v1 record decodes with sensorType default (fast reader)', () => {
    assert.deepEqual(plain(codec.decodeWindow(v1.toBuffer(v1Window))), plain({ ...v1Window, sensorType: 'default' }));
  });
  it('a v1 record with a large long decodes through avsc with sensorType default', () => {
    const big = { ...v1Window, seq: 2 ** 52 + 2 };
    const read = codec.decodeWindow(v1.toBuffer(big));
    assert.equal(read.sensorType, 'default');
    assert.equal(read.seq, 2 ** 52 + 2);
  });
  it('a v1 reader reads a v2 record, without sensorType', () => {
    const read = v1.fromBuffer(codec.encodeWindow(window), v1.createResolver(loadSchema('SignalWindow.avsc'))) as Record<string, unknown>;
    assert.deepEqual(plain(read), plain(v1Window));
  });
  it('a window without sensorType encodes it as default', () => {
    assert.equal(codec.decodeWindow(codec.encodeWindow(v1Window)).sensorType, 'default');
  });
});

describe('DeadLetter v3 (adds the reason unknown_sensor)', async () => {
  const { deadLetterType } = await import('../../../../common/codec/schemas.ts');
  const v2 = loadSchema('history/DeadLetter.v2.avsc');
  it('a v2 reader reads unknown_sensor as internal', () => {
    const read = v2.fromBuffer(deadLetterType.toBuffer({ ...dead, reason: 'unknown_sensor' }), v2.createResolver(deadLetterType)) as DeadLetter;
    assert.equal(read.reason, 'internal');
  });
  it('round trip keeps unknown_sensor', () => assert.equal(codec.decodeDeadLetter(codec.encodeDeadLetter({ ...dead, reason: 'unknown_sensor' })).reason, 'unknown_sensor'));
});
