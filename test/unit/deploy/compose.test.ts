// deploy/compose.yml and the Dockerfile, validated without a Docker engine:
// the YAML parses, mounted paths exist, every app service runs a real
// `sensorwatch` verb, host ports do not collide, the config it mounts loads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { loadConfig } from '../../../common/config/load.ts';
import { kafkaVersion } from '../../../common/kafka-local/jars.ts';
import { cliVerbs } from './cli-verbs.ts';
import { prometheusDir, readYaml, repoRoot } from './provisioning.ts';

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, unknown> | string[];
  healthcheck?: { test?: string[] };
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; count?: number; capabilities?: string[] }[] } } };
}
interface Compose { services?: Record<string, Service>; volumes?: Record<string, unknown> }

const deployDir = join(repoRoot, 'deploy');
const composeText = readFileSync(join(deployDir, 'compose.yml'), 'utf8');
// merge: true resolves the `<<: *sensorwatch` keys the app services share.
const compose = YAML.parse(composeText, { merge: true }) as Compose;
const services = compose.services ?? {};
const appServices = Object.entries(services).filter(([, s]) => s.image?.startsWith('sensorwatch'));

describe('compose.yml', () => {
  it('parses, with the services issue 5 asks for', () => {
    for (const name of ['kafka', 'ingest', 'scorer', 'trainer', 'prometheus', 'grafana']) assert.ok(services[name], name);
  });

  it('every app service runs a sensorwatch verb that exists in cli/main.ts', () => {
    const verbs = cliVerbs();
    assert.ok(appServices.length >= 3);
    for (const [name, s] of appServices) {
      const verb = s.command?.[0] ?? '';
      const module = verbs.get(verb);
      assert.ok(module, `${name}: '${verb}' is not a sensorwatch command (have ${[...verbs.keys()].join(', ')})`);
      assert.ok(existsSync(module), `${name}: '${verb}' loads ${module}, which does not exist`);
    }
    assert.deepEqual(['ingest', 'scorer', 'trainer'].map((n) => services[n]?.command), [['ingest'], ['scorer'], ['train']]);
  });

  it('bind-mounted paths exist in the repo; named volumes are declared', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const [source = ''] = v.split(':');
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(resolve(deployDir, source)), `${name}: ${source} does not exist`);
        } else {
          assert.ok(compose.volumes && source in compose.volumes, `${name}: volume ${source} not declared`);
        }
      }
    }
  });

  it('the image is built from the repo Dockerfile', () => {
    for (const [name, s] of appServices) {
      const context = resolve(deployDir, s.build?.context ?? '');
      assert.equal(context, resolve(repoRoot), name);
      assert.ok(existsSync(join(context, s.build?.dockerfile ?? '')), `${name}: Dockerfile`);
    }
  });

  it('host ports do not collide', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        const parts = p.split(':');
        if (parts.length < 2) continue;
        const host = parts.slice(0, -1).join(':');
        assert.equal(seen.get(host), undefined, `host port ${host}: ${seen.get(host)} and ${name}`);
        seen.set(host, name);
      }
    }
  });

  it('the mounted config loads, and the services reach Kafka and serve metrics where Prometheus looks', () => {
    const mount = appServices[0]?.[1].volumes?.find((v) => v.includes('/etc/sensorwatch/'));
    const [source = '', target = ''] = mount?.split(':') ?? [];
    for (const [name, s] of appServices) {
      assert.equal(s.environment?.SENSORWATCH_CONFIG, target, `${name}: SENSORWATCH_CONFIG`);
      assert.ok(s.volumes?.some((v) => v.startsWith(`${source}:${target}`)), `${name}: config not mounted`);
    }
    const config = loadConfig({ file: resolve(deployDir, source) });
    assert.deepEqual(config.kafka.brokers, ['kafka:9092']);
    assert.equal(appServices[0]?.[1].environment?.KAFKA_BROKERS, 'kafka:9092');
    const scrape = readYaml<{ scrape_configs?: { dns_sd_configs?: { names?: string[]; port?: number }[] }[] }>(join(prometheusDir, 'prometheus.yml'));
    for (const job of scrape.scrape_configs ?? []) {
      for (const sd of job.dns_sd_configs ?? []) {
        assert.equal(sd.port, config.metrics.port);
        for (const n of sd.names ?? []) assert.ok(services[n], `Prometheus looks up ${n}, not a compose service`);
      }
    }
  });

  it('Kafka is the official Apache image in KRaft mode, advertising the address the services use', () => {
    const kafka = services.kafka ?? {};
    assert.match(kafka.image ?? '', /^apache\/kafka:/);
    assert.equal(kafka.image, `apache/kafka:${kafkaVersion()}`, 'the tested Kafka version, <kafka.version> in deploy/kafka/pom.xml');
    assert.match(kafka.environment?.KAFKA_PROCESS_ROLES ?? '', /controller/);
    assert.match(kafka.environment?.KAFKA_ADVERTISED_LISTENERS ?? '', /\/\/kafka:9092\b/);
    assert.ok(kafka.healthcheck?.test);
  });

  it('the trainer has an optional GPU variant with a device reservation', () => {
    const gpu = services['trainer-gpu'];
    assert.deepEqual(gpu?.command, ['train']);
    assert.deepEqual(gpu.profiles, ['gpu']);
    const device = gpu.deploy?.resources?.reservations?.devices?.[0];
    assert.deepEqual(device?.capabilities, ['gpu']);
  });

  it('Prometheus and Grafana mount this repo\'s provisioning', () => {
    assert.ok(services.prometheus?.volumes?.includes('./prometheus:/etc/prometheus:ro'));
    assert.ok(services.grafana?.volumes?.includes('./grafana/provisioning:/etc/grafana/provisioning:ro'));
  });

  it('depends_on names existing services', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) assert.ok(services[d], `${name} depends on unknown ${d}`);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

  it('copies only paths that exist', () => {
    for (const m of dockerfile.matchAll(/^COPY (\S+)(?: (\S+))? \S+$/gm)) {
      for (const src of [m[1], m[2]]) {
        if (src === undefined) continue;
        assert.ok(existsSync(join(repoRoot, src)), `COPY ${src}: not in the repo`);
      }
    }
  });

  it('leaves out the optional native backend unless built with NATIVE=true', () => {
    assert.match(dockerfile, /^ARG NATIVE=false$/m);
    assert.match(dockerfile, /if \[ "\$NATIVE" = true \]; then npm ci --omit=dev [^;]*;\s*\\\s*else npm ci --omit=dev --omit=optional /);
  });

  it('runs bin/sensorwatch.mjs and serves metrics on the configured port', () => {
    assert.match(dockerfile, /ENTRYPOINT \["node", "bin\/sensorwatch\.mjs"\]/);
    assert.ok(existsSync(join(repoRoot, 'bin/sensorwatch.mjs')));
    assert.match(dockerfile, /EXPOSE 9464/);
    assert.match(dockerfile, /\/healthz/);
  });
});
