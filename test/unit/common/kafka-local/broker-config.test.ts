import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MESSAGE_BYTES } from '../../../../common/kafka/limits.ts';
import { brokerLayout, brokerProperties, jvmArgs, log4jProperties, propertiesText, randomClusterId } from '../../../../common/kafka-local/broker-config.ts';

describe('brokerProperties', () => {
  const props = brokerProperties({ host: '127.0.0.1', port: 40001, controllerPort: 40002, logDirs: '/d/kraft' });
  const cases: [string, string][] = [
    ['process.roles', 'broker,controller'],
    ['controller.quorum.voters', '1@127.0.0.1:40002'],
    ['listeners', 'PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002'],
    ['advertised.listeners', 'PLAINTEXT://127.0.0.1:40001'],
    ['log.dirs', '/d/kraft'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['share.coordinator.state.topic.replication.factor', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['message.max.bytes', String(2 * 1024 * 1024)],
    ['replica.fetch.max.bytes', String(MAX_MESSAGE_BYTES)],
  ];
  for (const [key, value] of cases) it(`${key}=${value}`, () => assert.equal(props[key], value));

  it('the controller listener is never advertised to clients', () => {
    assert.ok(!props['advertised.listeners']?.includes('CONTROLLER'));
  });
});

describe('broker files', () => {
  const cases: { name: string; got: () => unknown; expect: unknown }[] = [
    { name: 'properties text, one key=value per line', got: () => propertiesText({ a: '1', 'b.c': 'x y' }), expect: 'a=1\nb.c=x y\n' },
    { name: 'backslashes escaped (Windows-like paths)', got: () => propertiesText({ p: 'C:\\d' }), expect: 'p=C:\\\\d\n' },
    { name: 'layout keeps everything inside the data dir', got: () => Object.values(brokerLayout('/data/k')).every((p) => p.startsWith('/data/k')), expect: true },
    { name: 'server log under logs/', got: () => brokerLayout('/data/k').serverLog, expect: '/data/k/logs/server.log' },
    { name: 'log4j writes to the server log', got: () => log4jProperties('/x/server.log').includes('appender.file.fileName=/x/server.log'), expect: true },
    { name: 'cluster id is 22 base64url chars', got: () => randomClusterId(() => Buffer.alloc(16, 0xff)), expect: '_____________________w' },
    {
      name: "an id starting with '-' is drawn again (the storage tool would take it for an option)",
      got: () => {
        const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)]; // 0xf8... encodes as '-...'
        return randomClusterId(() => draws.shift() ?? Buffer.alloc(16));
      },
      expect: 'AQEBAQEBAQEBAQEBAQEBAQ',
    },
    { name: 'cluster ids differ', got: () => randomClusterId() !== randomClusterId(), expect: true },
    {
      name: 'jvm args: heap, log4j config, classpath last',
      got: () => jvmArgs({ heapMb: 384, log4jFile: '/l.properties', logsDir: '/logs', classpath: '/lib/*', quickStart: false }),
      expect: ['-Xmx384m', '-Xms128m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', '-Dlog4j2.configurationFile=/l.properties', '-Dkafka.logs.dir=/logs', '-cp', '/lib/*'],
    },
    {
      name: 'quick start: C1-only JIT, small heap start',
      got: () => jvmArgs({ heapMb: 64, log4jFile: '/l', logsDir: '/g', classpath: '/c', quickStart: true }).slice(0, 3),
      expect: ['-Xmx64m', '-Xms64m', '-XX:TieredStopAtLevel=1'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.expect));
});
