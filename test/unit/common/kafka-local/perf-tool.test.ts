import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConsumerPerfOutput } from '../../../../common/kafka-local/perf-tool.ts';

// Real output of Kafka 4.3.1's ConsumerPerformance (10 000 records of 200 bytes).
const header = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const complete = `${header}\n2026-11-21 00:01:54:036, 2026-11-21 00:01:56:944, 1.9073, 0.6559, 10000, 3438.7895, 1786, 1122, 1.7000, 8912.6560\n`;
const timedOut = `${header}\nWARNING: Exiting before consuming the expected number of records: timeout (3000 ms) exceeded. You can use the --timeout option to increase the timeout.\n2026-11-21 00:02:00:129, 2026-11-21 00:02:04:802, 1.9073, 0.4082, 10000, 2139.9529, 862, 3811, 0.5005, 2623.9832\n`;

describe('parseConsumerPerfOutput', () => {
  const cases = [
    {
      name: 'complete run',
      text: complete,
      expect: { messages: 10000, seconds: 2.908, messagesPerSec: 3438.7895, mbPerSec: 0.6559, megabytes: 1.9073, rebalanceMs: 1786, fetchMs: 1122, fetchMessagesPerSec: 8912.656, fetchMbPerSec: 1.7 },
    },
    {
      name: 'run that hit the timeout keeps the warning',
      text: timedOut,
      expect: { messages: 10000, seconds: 4.673, messagesPerSec: 2139.9529, rebalanceMs: 862, warning: 'WARNING: Exiting before consuming the expected number of records: timeout (3000 ms) exceeded. You can use the --timeout option to increase the timeout.' },
    },
    {
      name: 'log noise before the header and CRLF line ends',
      text: `SLF4J: something\r\n${complete.replaceAll('\n', '\r\n')}`,
      expect: { messages: 10000, seconds: 2.908 },
    },
    {
      name: 'across midnight',
      text: `${header}\n2026-11-20 23:59:59:500, 2026-11-21 00:00:01:000, 1, 0.6667, 5000, 3333.3, 100, 1400, 0.7, 3571.4\n`,
      expect: { messages: 5000, seconds: 1.5 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = parseConsumerPerfOutput(c.text) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(c.expect)) {
        if (typeof value === 'number') assert.ok(Math.abs((result[key] as number) - value) < 1e-9, `${key}: ${String(result[key])} != ${value}`);
        else assert.equal(result[key], value, key);
      }
      if (!('warning' in c.expect)) assert.equal(result.warning, undefined);
    });
  }

  const bad = [
    { name: 'empty output', text: '', mentions: /header/ },
    { name: 'header without values', text: `${header}\n`, mentions: /no line of values/ },
    { name: 'a column missing', text: complete.replace('fetch.nMsg.sec', 'other'), mentions: /lacks fetch\.nMsg\.sec/ },
    { name: 'too few values', text: `${header}\n2026-11-21 00:01:54:036, 2026-11-21 00:01:56:944, 1.9\n`, mentions: /3 values for 10 columns/ },
    { name: 'a non-number', text: complete.replace('3438.7895', 'NaN?'), mentions: /nMsg\.sec is not a number/ },
  ];
  for (const b of bad) {
    it(`rejects ${b.name}`, () => {
      assert.throws(() => parseConsumerPerfOutput(b.text), (e: Error & { code?: string }) => e.code === 'perf_tool_output' && b.mentions.test(e.message));
    });
  }
});
