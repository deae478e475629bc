// deploy/k8s, validated structurally (no cluster here, and kubectl's
// client-side dry run still asks a server for its API list): required fields
// per kind, selectors match pod labels, readiness on /healthz and liveness on /livez, the ConfigMap key
// that pods mount exists and holds a valid config, the KEDA ScaledObject
// targets the scorer and stops at the partition count, the trainer asks for a GPU
// and scales out.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { parseConfigText } from '../../../common/config/load.ts';
import type { Config } from '../../../common/config/types.ts';
import { cliVerbs } from './cli-verbs.ts';
import { repoRoot } from './provisioning.ts';

interface Probe { httpGet?: { path?: string; port?: string | number } }
interface Container {
  name?: string;
  image?: string;
  args?: string[];
  env?: { name?: string; value?: string }[];
  ports?: { name?: string; containerPort?: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  volumeMounts?: { name?: string; mountPath?: string }[];
}
interface PodSpec {
  containers?: Container[];
  volumes?: { name?: string; configMap?: { name?: string }; persistentVolumeClaim?: { claimName?: string }; emptyDir?: Record<string, unknown> }[];
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string }[];
}
interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec };
    ports?: { name?: string; port?: number; targetPort?: string | number }[];
    scaleTargetRef?: { name?: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: { type?: string; metadata?: Record<string, string> }[];
  };
}

const k8sDir = join(repoRoot, 'deploy/k8s');
const kustomization = YAML.parse(readFileSync(join(k8sDir, 'kustomization.yaml'), 'utf8')) as { resources?: string[]; namespace?: string };
const files = kustomization.resources ?? [];
const objects: { file: string; obj: K8sObject }[] = files.flatMap((file) =>
  YAML.parseAllDocuments(readFileSync(join(k8sDir, file), 'utf8')).map((d) => ({ file, obj: d.toJSON() as K8sObject })),
);
const ofKind = (kind: string): K8sObject[] => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
const named = (kind: string, name: string): K8sObject | undefined => ofKind(kind).find((o) => o.metadata?.name === name);

const configMap = named('ConfigMap', 'sensorwatch-config');
const config: Config = parseConfigText(configMap?.data?.['sensorwatch.yml'] ?? '', 'deploy/k8s/configmap.yaml');

describe('k8s manifests', () => {
  it('the kustomization lists files that exist, and they parse', () => {
    assert.ok(files.length >= 6);
    for (const f of files) assert.ok(existsSync(join(k8sDir, f)), f);
    assert.ok(objects.every((o) => o.obj !== null));
  });

  it('every object has apiVersion, kind, name and the sensorwatch namespace (cluster-scoped Namespace aside)', () => {
    for (const { file, obj } of objects) {
      assert.ok(obj.apiVersion && obj.kind && obj.metadata?.name, `${file}: ${JSON.stringify(obj.metadata)}`);
      if (obj.kind !== 'Namespace') assert.equal(obj.metadata?.namespace, kustomization.namespace, `${file} ${obj.metadata?.name}`);
    }
    const keys = objects.map((o) => `${o.obj.kind}/${o.obj.metadata?.name}`);
    assert.equal(new Set(keys).size, keys.length, 'duplicate object');
  });

  it('the ConfigMap holds a valid config', () => {
    assert.ok(configMap);
    assert.deepEqual(config.kafka.brokers, ['kafka.kafka.svc:9092']);
    assert.equal(config.metrics.host, '0.0.0.0');
  });

  const verbs = cliVerbs();
  for (const [component, verb] of [['ingest', 'ingest'], ['scorer', 'scorer'], ['trainer', 'train']] as const) {
    describe(`${component} Deployment`, () => {
      const d = named('Deployment', `sensorwatch-${component}`);
      const pod = d?.spec?.template?.spec;
      const c = pod?.containers?.[0];

      it('exists with a selector matching its pod labels', () => {
        assert.ok(d, `Deployment sensorwatch-${component}`);
        const selector = d.spec?.selector?.matchLabels ?? {};
        assert.ok(Object.keys(selector).length > 0);
        for (const [k, v] of Object.entries(selector)) assert.equal(d.spec?.template?.metadata?.labels?.[k], v, k);
        assert.equal(d.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'], component);
        assert.equal(d.spec?.template?.metadata?.labels?.['app.kubernetes.io/part-of'], 'sensorwatch');
      });

      it(`runs \`sensorwatch ${verb}\` with the config from the ConfigMap`, () => {
        assert.deepEqual(c?.args, [verb]);
        assert.ok(verbs.has(verb));
        const mount = c?.volumeMounts?.find((m) => m.mountPath === '/etc/sensorwatch');
        const volume = pod?.volumes?.find((v) => v.name === mount?.name);
        assert.equal(volume?.configMap?.name, configMap?.metadata?.name);
        const file = c?.env?.find((e) => e.name === 'SENSORWATCH_CONFIG')?.value ?? '';
        assert.ok(file.startsWith('/etc/sensorwatch/'));
        assert.ok(file.slice('/etc/sensorwatch/'.length) in (configMap?.data ?? {}), `ConfigMap has no key for ${file}`);
      });

      it('readiness on /healthz and liveness on /livez at the metrics port', () => {
        const port = c?.ports?.find((p) => p.name === 'metrics');
        assert.equal(port?.containerPort, config.metrics.port);
        assert.equal(c?.readinessProbe?.httpGet?.path, '/healthz');
        // Liveness must not wait for a model: a scorer without one yet is alive, not broken.
        assert.equal(c?.livenessProbe?.httpGet?.path, '/livez');
        for (const probe of [c?.readinessProbe, c?.livenessProbe]) assert.equal(probe?.httpGet?.port, 'metrics');
      });

      it('has a metrics Service selecting its pods', () => {
        const s = named('Service', `sensorwatch-${component}`);
        assert.ok(s);
        for (const [k, v] of Object.entries(s.spec?.selector ?? {})) assert.equal(d?.spec?.template?.metadata?.labels?.[k], v);
        assert.deepEqual(s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['metrics', config.metrics.port, 'metrics']]);
      });

      it('sets resource requests and a memory limit', () => {
        assert.ok(c?.resources?.requests?.cpu && c.resources.requests.memory && c.resources.limits?.memory);
      });
    });
  }

  it('the trainer requests a GPU and selects GPU nodes, with a model cache volume of its own per pod', () => {
    const pod = named('Deployment', 'sensorwatch-trainer')?.spec?.template?.spec;
    assert.equal(String(pod?.containers?.[0]?.resources?.limits?.['nvidia.com/gpu']), '1');
    assert.ok(Object.keys(pod?.nodeSelector ?? {}).some((k) => k.startsWith('nvidia.com/')));
    assert.ok(pod?.tolerations?.some((t) => t.key === 'nvidia.com/gpu'));
    const mount = pod?.containers?.[0]?.volumeMounts?.find((m) => m.mountPath === config.trainer.modelDir);
    assert.ok(mount, `trainer.modelDir ${config.trainer.modelDir} is not a mounted volume`);
    const volume = pod?.volumes?.find((v) => v.name === mount.name);
    // Replicas on different nodes cannot share a ReadWriteOnce claim: each pod caches its own copy (the topic holds every version).
    assert.ok(volume?.emptyDir !== undefined, `volume ${mount.name} is an emptyDir, not a claim shared by replicas`);
  });

  it('the trainer scales out: several replicas (they share the model keys), at most one per windows partition, no surge pod during a rollout', () => {
    const d = named('Deployment', 'sensorwatch-trainer');
    const replicas = d?.spec?.replicas ?? 1;
    assert.ok(replicas > 1, `replicas ${replicas}`);
    assert.ok(replicas <= config.topics.partitions, `replicas ${replicas} > topics.partitions ${config.topics.partitions}: the extra would stay idle`);
    assert.equal(d?.spec?.strategy?.type, 'RollingUpdate');
    assert.equal(String(d?.spec?.strategy?.rollingUpdate?.maxSurge), '0', 'no extra GPU pod during a rollout');
  });

  it('KEDA scales the scorer Deployment on the scorer group\'s lag, up to the partition count', () => {
    const so = named('ScaledObject', 'sensorwatch-scorer');
    assert.equal(so?.apiVersion, 'keda.sh/v1alpha1');
    assert.ok(named('Deployment', so?.spec?.scaleTargetRef?.name ?? ''), 'scaleTargetRef');
    assert.equal(so?.spec?.maxReplicaCount, config.topics.partitions);
    assert.ok((so?.spec?.minReplicaCount ?? 0) >= 1, 'at least one scorer');
    const trigger = so?.spec?.triggers?.[0];
    assert.equal(trigger?.type, 'kafka');
    assert.equal(trigger?.metadata?.bootstrapServers, config.kafka.brokers.join(','));
    assert.equal(trigger?.metadata?.topic, config.topics.windows);
    // The scorer's default group id (scorer/service.ts: `<kafka.clientId>.scorer`).
    assert.equal(trigger?.metadata?.consumerGroup, `${config.kafka.clientId}.scorer`);
    assert.equal(trigger?.metadata?.allowIdleConsumers, 'false');
    assert.ok(Number(trigger?.metadata?.lagThreshold) > 0);
  });
});
