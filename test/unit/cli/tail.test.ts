import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeAlert } from '../../../common/codec/index.ts';
import { bytesField, deadLetterJson, lastRecords, parseTailArgs, startOffsets } from '../../../cli/tail.ts';

describe('parseTailArgs', () => {
  it('reads the flags, with the last 10 by default', () => {
    assert.deepEqual(parseTailArgs(['tail']), { ok: true, options: { follow: false, fromBeginning: false, lines: 10, sensor: undefined, config: undefined, brokers: undefined } });
    const r = parseTailArgs(['tail', '-f', '--sensor', 's1', '-n', '0', '--brokers', 'h:1', '--config', 'c.yaml']);
    assert.deepEqual(r, { ok: true, options: { follow: true, fromBeginning: false, lines: 0, sensor: 's1', config: 'c.yaml', brokers: 'h:1' } });
  });
  it('says what is wrong', () => {
    const bad = (argv: string[]): string => {
      const r = parseTailArgs(argv);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.message;
    };
    assert.match(bad([]), /expected the subcommand tail/);
    assert.match(bad(['head']), /unknown subcommand 'head'/);
    assert.match(bad(['tail', '--lines=-3']), /--lines must be a whole number/);
    assert.match(bad(['tail', '-n', '2.5']), /--lines must be a whole number/);
    assert.match(bad(['tail', '-n', '2', '--from-beginning']), /exclude each other/);
    assert.match(bad(['tail', '--bogus']), /bogus/);
    assert.deepEqual(parseTailArgs(['--help']), { ok: false, help: true, message: '' });
  });
});

describe('startOffsets', () => {
  const ranges = [
    { partition: 0, low: 0n, high: 25n },
    { partition: 1, low: 20n, high: 23n },
    { partition: 2, low: 7n, high: 7n },
  ];
  it('the earliest offset: the last N records are not the last N offsets (transaction markers)', () => {
    const all = new Map([[0, 0n], [1, 20n], [2, 7n]]);
    assert.deepEqual(startOffsets(ranges, { fromBeginning: false, lines: 5 }), all);
    assert.deepEqual(startOffsets(ranges, { fromBeginning: true, lines: 10 }), all);
  });
  it('the end with --lines 0 (only new records)', () => {
    assert.deepEqual(startOffsets(ranges, { fromBeginning: false, lines: 0 }), new Map([[0, 25n], [1, 23n], [2, 7n]]));
  });
});

describe('lastRecords', () => {
  it('keeps the last n by (timestamp, partition, offset), whatever order they come in', () => {
    const last = lastRecords(3);
    const rec = (partition: number, offset: number, timestamp: number) => ({ partition, offset: String(offset), timestamp, line: `${partition}:${offset}` });
    for (let i = 0; i < 10; i++) last.offer(rec(0, i, 100 + 2 * i));
    for (let i = 0; i < 10; i++) last.offer(rec(1, i, 101 + 2 * i));
    last.offer(rec(2, 0, 119));
    assert.deepEqual(last.take().map((r) => r.line), ['0:9', '1:9', '2:0']);
    const none = lastRecords(0);
    none.offer(rec(0, 0, 1));
    assert.deepEqual(none.take(), []);
  });
});

describe('dead letters as JSON', () => {
  it('text stays text, binary becomes base64, and the encoding is named', () => {
    assert.deepEqual(bytesField(Buffer.from('{"sensorId":"s1","value":"hot"}\n')), { text: '{"sensorId":"s1","value":"hot"}\n', encoding: 'utf8' });
    const avro = encodeAlert({ alertId: 'a', sensorId: 's', state: 'open', kind: 'anomaly', fault: null, severity: 'warning', score: 1, reconstructionError: 1, threshold: 1, topChannels: [], modelKey: 'm', modelVersion: 1, windowStart: 0, windowEnd: 1, reason: null });
    assert.deepEqual(bytesField(avro), { text: avro.toString('base64'), encoding: 'base64' });
    assert.deepEqual(bytesField(Buffer.from([0xc3, 0x28])), { text: 'wyg=', encoding: 'base64' }, 'invalid UTF-8');
    assert.deepEqual(bytesField(Buffer.from('sensor-1')), { text: 'sensor-1', encoding: 'utf8' });
    assert.deepEqual(bytesField(null), { text: null, encoding: null });
  });
  it('keeps every field', () => {
    const d = deadLetterJson({ sourceTopic: 't', partition: 2, offset: '9', stage: 'ingest', reason: 'bad_json', message: 'm', key: null, value: Buffer.from([1, 2]), timestamp: 5 });
    assert.deepEqual(d, { sourceTopic: 't', partition: 2, offset: '9', stage: 'ingest', reason: 'bad_json', message: 'm', key: null, keyEncoding: null, value: 'AQI=', valueEncoding: 'base64', timestamp: 5 });
  });
});

describe('the alerts and dead-letters commands', () => {
  const bin = join(import.meta.dirname, '../../../bin/sensorwatch.mjs');
  /** The real command line, no broker needed: help and flag errors come before any connection. */
  const cli = (argv: string[]): { code: number; out: string; err: string } => {
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };
  it('are listed by sensorwatch --help', () => {
    const r = cli(['--help']);
    assert.match(r.out, /\n {2}alerts {7}tail: alert events as JSON lines/);
    assert.match(r.out, /\n {2}dead-letters tail: dead letters as JSON lines/);
  });
  it('--help prints the usage and exits 0; a missing or unknown subcommand exits 2 with it', () => {
    const help = cli(['dead-letters', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: sensorwatch dead-letters tail \[--follow\]/);
    assert.match(help.out, /keyEncoding and\n {2}valueEncoding say which/);
    const none = cli(['alerts']);
    assert.equal(none.code, 2);
    assert.match(none.err, /^sensorwatch alerts: expected the subcommand tail\n\nusage: sensorwatch alerts tail/);
    const bad = cli(['alerts', 'tail', '--lines', 'many']);
    assert.deepEqual([bad.code, bad.err.split('\n')[0]], [2, "sensorwatch alerts: --lines must be a whole number >= 0, got 'many'"]);
  });
});
