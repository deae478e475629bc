// Finds (or, when allowed, builds) a Python with numpy for the BLAS reference
// and TensorFlow for the Keras reference. Installs go into a virtual
// environment under .cache/bench-venv so nothing outside the checkout changes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/log.ts';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function runProcess(
  file: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        const timedOut = err?.killed === true;
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr: err !== null && stderr === '' ? err.message : stderr, timedOut });
      },
    );
  });
}

/** Last non-empty line of a process's stderr: the message worth showing. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

export interface PythonEnv {
  /** Interpreter path. */
  python: string;
  pythonVersion: string;
  numpy: string;
  blas: string | null;
  /** TensorFlow version importable from this interpreter, or null. */
  tensorflow: string | null;
  tensorflowReason: string | null;
}

export interface PythonOptions {
  /** Repository root; the venv lives in <root>/.cache/bench-venv. */
  root: string;
  /** May pip-install numpy (and create the venv). */
  installNumpy: boolean;
  /** Also wants TensorFlow; may pip-install a CPU TensorFlow when allowed. */
  wantTensorflow: boolean;
  installTensorflow: boolean;
  installTimeoutMs: number;
  log: Logger;
}

const probeScript = [
  'import json, platform',
  'out = {"python": platform.python_version()}',
  'try:',
  '    import numpy as np',
  '    out["numpy"] = np.__version__',
  '    try:',
  '        b = np.show_config(mode="dicts")["Build Dependencies"]["blas"]',
  '        out["blas"] = (b.get("name", "?") + " " + b.get("version", "")).strip()',
  '    except Exception:',
  '        out["blas"] = None',
  'except Exception as e:',
  '    out["numpyError"] = str(e)',
  'print(json.dumps(out))',
].join('\n');

interface Probe {
  python: string;
  numpy?: string;
  blas?: string | null;
  numpyError?: string;
}

async function probe(python: string): Promise<Probe | null> {
  const r = await runProcess(python, ['-c', probeScript], { timeoutMs: 30_000 });
  if (r.code !== 0) return null;
  try {
    return JSON.parse(r.stdout) as Probe;
  } catch {
    return null;
  }
}

async function probeTensorflow(python: string): Promise<{ version: string | null; reason: string | null }> {
  const r = await runProcess(python, ['-c', 'import tensorflow as tf; print(tf.__version__)'], {
    timeoutMs: 120_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  if (r.code === 0) return { version: r.stdout.trim().split('\n').pop() ?? '?', reason: null };
  return { version: null, reason: `TensorFlow is not importable from ${python}: ${lastLine(r.stderr)}` };
}

async function pipInstall(venvPython: string, packages: string[], options: PythonOptions): Promise<string | null> {
  options.log.info('bench: installing Python packages into the bench venv', { packages, timeoutMs: options.installTimeoutMs });
  const r = await runProcess(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...packages], {
    timeoutMs: options.installTimeoutMs,
  });
  if (r.code === 0) return null;
  return r.timedOut
    ? `pip install ${packages.join(' ')} did not finish within ${Math.round(options.installTimeoutMs / 1000)} s`
    : `pip install ${packages.join(' ')} failed: ${lastLine(r.stderr)}`;
}

/**
 * The interpreter to use: the bench venv if it has numpy, else a system
 * python3 with numpy, else (when allowed) a fresh venv with numpy installed.
 * Returns the reason in `reason` when there is none.
 */
export async function findPython(options: PythonOptions): Promise<{ env: PythonEnv | null; reason: string | null }> {
  const venvDir = join(options.root, '.cache', 'bench-venv');
  const venvPython = join(venvDir, 'bin', 'python');
  const system = (await probe('python3')) === null ? null : 'python3';
  if (system === null && !existsSync(venvPython)) return { env: null, reason: 'python3 was not found on PATH' };

  let chosen: { path: string; probe: Probe } | null = null;
  for (const candidate of [existsSync(venvPython) ? venvPython : null, system]) {
    if (candidate === null) continue;
    const p = await probe(candidate);
    if (p?.numpy !== undefined) {
      chosen = { path: candidate, probe: p };
      break;
    }
  }
  if (chosen === null) {
    if (!options.installNumpy) {
      return { env: null, reason: 'numpy is not installed for python3 and installs are off (run the full bench, or pass --install)' };
    }
    if (!existsSync(venvPython)) {
      const made = await runProcess('python3', ['-m', 'venv', venvDir], { timeoutMs: 120_000 });
      if (made.code !== 0) return { env: null, reason: `python3 -m venv ${venvDir} failed: ${lastLine(made.stderr)}` };
    }
    const failed = await pipInstall(venvPython, ['numpy'], options);
    if (failed !== null) return { env: null, reason: failed };
    const p = await probe(venvPython);
    if (p?.numpy === undefined) return { env: null, reason: `numpy still not importable after install: ${p?.numpyError ?? 'probe failed'}` };
    chosen = { path: venvPython, probe: p };
  }

  const env: PythonEnv = {
    python: chosen.path,
    pythonVersion: chosen.probe.python,
    numpy: chosen.probe.numpy ?? '?',
    blas: chosen.probe.blas ?? null,
    tensorflow: null,
    tensorflowReason: 'not requested',
  };
  if (!options.wantTensorflow) return { env, reason: null };

  let tf = await probeTensorflow(env.python);
  if (tf.version === null && options.installTensorflow) {
    // TensorFlow goes into the venv only; a system interpreter is left alone.
    if (env.python !== venvPython) {
      const made = await runProcess('python3', ['-m', 'venv', venvDir], { timeoutMs: 120_000 });
      if (made.code !== 0) {
        env.tensorflowReason = `python3 -m venv failed: ${lastLine(made.stderr)}`;
        return { env, reason: null };
      }
    }
    const failed = await pipInstall(venvPython, ['numpy', 'tensorflow-cpu'], options);
    if (failed === null) tf = await probeTensorflow(venvPython);
    else tf = { version: null, reason: failed };
    if (tf.version !== null) {
      const p = await probe(venvPython);
      if (p?.numpy !== undefined) Object.assign(env, { python: venvPython, pythonVersion: p.python, numpy: p.numpy, blas: p.blas ?? null });
    }
  } else if (tf.version === null) {
    tf.reason = `${tf.reason ?? 'TensorFlow missing'}; installs are off in --quick (run the full bench, or pass --install)`;
  }
  env.tensorflow = tf.version;
  env.tensorflowReason = tf.reason;
  return { env, reason: null };
}
