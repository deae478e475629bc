// Scorer child processes for the crash and rebalance tests (scorer-child.ts):
// spawn one, wait for it to consume, kill or stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../support/kafka.ts';
import type { ScorerTestSetup } from './support.ts';

const child = fileURLToPath(new URL('./scorer-child.ts', import.meta.url));

export interface ScorerProcess {
  proc: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
}

export function spawnScorer(setup: Pick<ScorerTestSetup, 'configFile' | 'groupId'>): ScorerProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, setup.configFile, setup.groupId], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const stderr: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, stderr, exited };
}

export async function whenReady(r: ScorerProcess): Promise<void> {
  let out = '';
  r.proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('READY'), { what: `scorer process ${r.proc.pid} to be ready`, timeoutMs: 40_000 }).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${r.stderr.join('').slice(-3000)}`);
  });
}
