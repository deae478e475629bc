// Summarises a V8 .cpuprofile (node --cpu-prof) into the functions and files
// that take the most self time: the "where the time goes" of docs/performance.md.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: ProfileRow[];
  /** Self time grouped by package or source folder (kafkajs, tfjs-core, avsc, ingest, scorer …). */
  areas: ProfileRow[];
}

/** Which package or project folder a script URL belongs to. */
export function areaOf(url: string): string {
  if (url === '') return '(native / V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return nm[1] as string;
  if (url.startsWith('node:')) return 'node core';
  const project = /\/(common\/[^/]+|ingest|scorer|trainer|bench|eval|cli)\//.exec(url);
  if (project !== null) return project[1] as string;
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/((?:common|ingest|scorer|trainer|bench|eval|cli)\/.*)$/.exec(url);
  return m !== null ? (m[1] as string) : url.replace(/^file:\/\//, '');
}

export function summariseCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  // Self time per node: each sample's time delta goes to the node it hit.
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0) {
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] as number;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i] ?? 0));
    }
  } else {
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0));
    for (const n of profile.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * interval);
  }
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = url === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const area = url === '' ? (functionName.startsWith('(') ? functionName : '(native / V8)') : areaOf(url);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    total += us;
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: total > 0 ? us / total : 0 }));
  return { totalMs: total / 1000, functions: rows(byFunction), areas: rows(byArea) };
}

export function renderProfileSummary(s: ProfileSummary): string {
  const line = (r: ProfileRow): string => `| ${r.name} | ${r.selfMs.toFixed(0)} | ${(r.share * 100).toFixed(1)} % |`;
  return [
    `Sampled time: ${(s.totalMs / 1000).toFixed(1)} s`,
    '',
    '| area | self ms | share |',
    '| --- | --- | --- |',
    ...s.areas.map(line),
    '',
    '| function | self ms | share |',
    '| --- | --- | --- |',
    ...s.functions.map(line),
    '',
  ].join('\n');
}
