// Pure: the files a single-node KRaft broker needs (server.properties and the
// log4j2 config), built from ports and paths. No I/O here.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MAX_MESSAGE_BYTES } from '../kafka/limits.ts';

export interface BrokerLayout {
  dataDir: string;
  /** server.properties, log4j2.properties, broker.json, pid file. */
  configFile: string;
  log4jFile: string;
  /** KRaft metadata and topic partitions (log.dirs). */
  logDirs: string;
  /** The broker's own log (server.log) and the JVM's stdout/stderr. */
  logsDir: string;
  serverLog: string;
  stdoutLog: string;
  pidFile: string;
  infoFile: string;
}

export function brokerLayout(dataDir: string): BrokerLayout {
  const logsDir = join(dataDir, 'logs');
  return {
    dataDir,
    configFile: join(dataDir, 'server.properties'),
    log4jFile: join(dataDir, 'log4j2.properties'),
    logDirs: join(dataDir, 'kraft'),
    logsDir,
    serverLog: join(logsDir, 'server.log'),
    stdoutLog: join(logsDir, 'stdout.log'),
    pidFile: join(dataDir, 'broker.pid'),
    infoFile: join(dataDir, 'broker.json'),
  };
}

export interface BrokerPropertiesInput {
  host: string;
  port: number;
  controllerPort: number;
  logDirs: string;
  nodeId?: number;
}

/** Settings right for one combined broker+controller node on a laptop or CI box. */
export function brokerProperties(input: BrokerPropertiesInput): Record<string, string> {
  const nodeId = input.nodeId ?? 1;
  return {
    'process.roles': 'broker,controller',
    'node.id': String(nodeId),
    'controller.quorum.voters': `${nodeId}@${input.host}:${input.controllerPort}`,
    listeners: `PLAINTEXT://${input.host}:${input.port},CONTROLLER://${input.host}:${input.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${input.host}:${input.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': input.logDirs,
    // One node: every internal topic has exactly one replica.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'default.replication.factor': '1',
    'min.insync.replicas': '1',
    // Tests and the demo start consumers one after another: no 3 s wait per join.
    'group.initial.rebalance.delay.ms': '0',
    'message.max.bytes': String(MAX_MESSAGE_BYTES),
    'replica.fetch.max.bytes': String(MAX_MESSAGE_BYTES),
    // Small footprint: a 2-core box shared with the services under test.
    'num.network.threads': '2',
    'num.io.threads': '2',
    'background.threads': '2',
    'num.recovery.threads.per.data.dir': '1',
    // The log cleaner (compacted model-artifacts topic) defaults to a 128 MiB buffer.
    'log.cleaner.dedupe.buffer.size': String(16 * 1024 * 1024),
    'log.cleaner.threads': '1',
    'num.partitions': '1',
  };
}

export function propertiesText(props: Record<string, string>): string {
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${value.replaceAll('\\', '\\\\')}`)
    .join('\n')}\n`;
}

/** log4j2 config: everything at INFO into one file, nothing on the console. */
export function log4jProperties(serverLog: string): string {
  return propertiesText({
    'rootLogger.level': 'INFO',
    'rootLogger.appenderRef.file.ref': 'file',
    'appender.file.type': 'File',
    'appender.file.name': 'file',
    'appender.file.fileName': serverLog,
    'appender.file.layout.type': 'PatternLayout',
    'appender.file.layout.pattern': '[%d] %p %m (%c)%n',
    // The state-change and request loggers are chatty and not useful here.
    'logger.state.name': 'state.change.logger',
    'logger.state.level': 'WARN',
  });
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding (what
 * `kafka-storage random-uuid` prints). Like Kafka's Uuid.randomUuid(), an id
 * starting with '-' is drawn again: the storage tool would read it as an option.
 */
export function randomClusterId(draw: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = draw().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface JvmArgsInput {
  heapMb: number;
  log4jFile: string;
  logsDir: string;
  classpath: string;
  /**
   * C1-only JIT (-XX:TieredStopAtLevel=1): about half the CPU to start, which
   * on a busy 2-core CI box cuts start-up from ~20 s to ~7 s, at some cost in
   * peak throughput. Off for benchmarks.
   */
  quickStart: boolean;
}

export function jvmArgs(input: JvmArgsInput): string[] {
  return [
    `-Xmx${input.heapMb}m`,
    `-Xms${Math.min(input.heapMb, 128)}m`,
    ...(input.quickStart ? ['-XX:TieredStopAtLevel=1'] : []),
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${input.log4jFile}`,
    `-Dkafka.logs.dir=${input.logsDir}`,
    '-cp',
    input.classpath,
  ];
}
