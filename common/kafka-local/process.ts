// Small process helpers for the broker: free ports, liveness, stopping by pid.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port that was free a moment ago on `host` (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StopPidOptions {
  /** How long to wait after SIGTERM before SIGKILL. */
  graceMs?: number;
  pollMs?: number;
}

/** SIGTERM, wait for the process to go, SIGKILL after the grace period. Returns how it ended. */
export async function stopPid(pid: number, options: StopPidOptions = {}): Promise<'not-running' | 'terminated' | 'killed'> {
  const graceMs = options.graceMs ?? 30_000;
  const pollMs = options.pollMs ?? 100;
  if (!signal(pid, 'SIGTERM')) return 'not-running';
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(pollMs);
  }
  signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(pollMs);
  return 'killed';
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
