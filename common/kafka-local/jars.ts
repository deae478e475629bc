// The Kafka broker's jars, resolved by Maven from deploy/kafka/pom.xml into a
// cache outside git (.cache/kafka/<version>/lib). Once cached, everything runs
// offline. The pom is the one place that names the Kafka version.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SensorwatchError } from '../errors.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const pomPath = join(repoRoot, 'deploy', 'kafka', 'pom.xml');
/** Written last, so a half-finished download is never taken for a cache. */
const completeMarker = '.complete';

/** The `<kafka.version>` property of a pom's text. */
export function kafkaVersionOf(pomText: string): string {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pomText);
  if (match?.[1] === undefined) {
    throw new SensorwatchError(`${pomPath} has no <kafka.version> property`, { code: 'KAFKA_POM_INVALID' });
  }
  return match[1];
}

export function kafkaVersion(): string {
  return kafkaVersionOf(readFileSync(pomPath, 'utf8'));
}

export function kafkaLibDir(version = kafkaVersion()): string {
  return join(repoRoot, '.cache', 'kafka', version, 'lib');
}

/** The java classpath for the cached jars (a JVM wildcard entry). */
export function kafkaClasspath(libDir = kafkaLibDir()): string {
  return join(libDir, '*');
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface EnsureJarsOptions {
  log?: (msg: string) => void;
}

/**
 * Returns the lib dir, running Maven first if the jars are not cached yet.
 * Maven writes into a scratch dir that is renamed into place, so concurrent
 * callers (parallel test processes) never see a partial cache.
 */
export async function ensureKafkaJars(options: EnsureJarsOptions = {}): Promise<string> {
  const version = kafkaVersion();
  const libDir = kafkaLibDir(version);
  if (existsSync(join(libDir, completeMarker))) return libDir;
  const log = options.log ?? (() => undefined);
  const scratch = `${libDir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(dirname(libDir), { recursive: true });
  log(`resolving Apache Kafka ${version} jars with Maven into ${libDir} (first run only)`);
  const started = Date.now();
  await runMaven(['-q', '-B', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${scratch}`]);
  writeFileSync(join(scratch, completeMarker), `${new Date().toISOString()}\n`);
  if (existsSync(join(libDir, completeMarker))) {
    rmSync(scratch, { recursive: true, force: true }); // someone else won the race
  } else {
    rmSync(libDir, { recursive: true, force: true });
    renameSync(scratch, libDir);
  }
  log(`Kafka ${version} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libDir;
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (cause) => {
      reject(
        new SensorwatchError('could not run Maven (mvn) to fetch the Kafka jars: install Maven 3 and a JDK 17+', {
          code: 'KAFKA_MAVEN_MISSING',
          cause,
        }),
      );
    });
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new SensorwatchError(`mvn ${args.join(' ')} exited with ${code}:\n${output.trim()}`, {
            code: 'KAFKA_MAVEN_FAILED',
            retriable: true,
            details: { pom: pomPath },
          }),
        );
    });
  });
}
