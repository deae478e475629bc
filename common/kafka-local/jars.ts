// The Kafka broker's jars, resolved by Maven from deploy/kafka/pom.xml into a
// cache outside git (.cache/kafka/<version>/lib). Once cached, everything runs
// offline. The pom is the one place that names the Kafka version.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
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
    throw new SensorwatchError(`${pomPath} has no <kafka.version> property`, { code: 'local_broker_pom_invalid' });
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

/** What installs Java and Maven on Debian, named by every message about either. */
export const javaInstallHint = 'apt-get install openjdk-17-jre-headless maven';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The executable `command` names: a path as given, else the first match on PATH; undefined when none. */
export function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  isExecutable: (path: string) => boolean = isExecutableFile,
): string | undefined {
  if (command.includes('/')) return isExecutable(command) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const path = join(dir, command);
    if (isExecutable(path)) return path;
  }
  return undefined;
}

/** True once the jars are fully cached (Maven is then no longer needed). */
export function kafkaJarsCached(libDir = kafkaLibDir()): boolean {
  return existsSync(join(libDir, completeMarker));
}

export interface BrokerToolsMissing {
  /** The commands missing: `java`, `mvn` or both. */
  tools: string[];
  /** One line: what is missing, what needs it, how to install it. */
  message: string;
}

/**
 * What the local broker lacks on this machine: java always, mvn only while
 * the jars are not cached yet. Undefined when nothing is missing.
 */
export function brokerToolsMissing(options: {
  jarsCached: boolean;
  env?: NodeJS.ProcessEnv;
  isExecutable?: (path: string) => boolean;
}): BrokerToolsMissing | undefined {
  const env = options.env ?? process.env;
  const tools: string[] = [];
  if (findExecutable(javaCommand(env), env, options.isExecutable) === undefined) tools.push('java');
  if (!options.jarsCached && findExecutable('mvn', env, options.isExecutable) === undefined) tools.push('mvn');
  if (tools.length === 0) return undefined;
  const java = env.JAVA_HOME ? `java (${javaCommand(env)}, from JAVA_HOME)` : 'java';
  const what = tools.map((t) => (t === 'java' ? java : 'mvn (Maven)')).join(' and ');
  const needs = tools.includes('java') ? 'the local Kafka broker needs Java 17+' : 'Maven fetches the Kafka jars on first use';
  return { tools, message: `${what} not installed: ${needs}; install with: ${javaInstallHint}` };
}

/** Throws a one-line SensorwatchError when the local broker cannot run here. */
export function assertBrokerTools(env: NodeJS.ProcessEnv = process.env): void {
  const missing = brokerToolsMissing({ jarsCached: kafkaJarsCached(), env });
  if (missing === undefined) return;
  throw new SensorwatchError(missing.message, {
    code: missing.tools.includes('java') ? 'java_missing' : 'maven_missing',
    details: { missing: missing.tools },
  });
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
  if (kafkaJarsCached(libDir)) return libDir;
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
        new SensorwatchError(`could not run Maven (mvn) to fetch the Kafka jars: ${(cause as Error).message}; install with: ${javaInstallHint}`, {
          code: 'maven_missing',
          cause,
        }),
      );
    });
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new SensorwatchError(`mvn ${args.join(' ')} exited with ${code}:\n${output.trim()}`, {
            code: 'maven_failed',
            details: { pom: pomPath },
          }),
        );
    });
  });
}
