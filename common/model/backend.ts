// TensorFlow.js backend selection (issue 3 §Backends, issue 8).
//
// All model code imports `* as tf from '@tensorflow/tfjs'`; this file only
// decides which kernels that one engine runs on:
//   tensorflow  native libtensorflow through @tensorflow/tfjs-node(-gpu)
//   wasm        @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD where available)
//   cpu         plain JavaScript kernels (always there, slowest)
// 'auto' takes the first that works in that order. A forced choice that cannot
// be had fails with backend_unavailable and says how to get it.
//
// With a GPU visible, `tensorflow` tries @tensorflow/tfjs-node-gpu first; without
// one, @tensorflow/tfjs-node first and the GPU build after it (it runs on the CPU
// too). When the GPU build ends up on the CPU it says so in one warn line
// (native-choice.ts holds the order and the line).
//
// The native packages are optional dependencies and are loaded with a dynamic
// import, so a machine without them still runs. They `require('@tensorflow/tfjs')`
// themselves; npm dedupes that to our copy, so the `tensorflow` backend lands in
// the same engine as ours (checked below, because a second copy would silently
// leave us on the old backend).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { backendNames, type BackendChoice, type BackendName } from '../config/enums.ts';
import { SensorwatchError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { gpuDriverPaths, gpuFallbackNote, nativeGpuPackage, nativePackageOrder } from './native-choice.ts';

export { backendNames, type BackendName };

export interface BackendInfo {
  name: BackendName;
  /** True only when the tensorflow backend runs its kernels on a GPU device. */
  gpu: boolean;
  /** Package version, with libtensorflow's version for the native backend. */
  version: string;
  /** Why this backend was chosen (and why the ones before it were not). */
  reason: string;
}

interface Attempt {
  ok: boolean;
  /** Version string when ok, the reason it is unavailable otherwise. */
  detail: string;
  /** The native package that was loaded, when ok. */
  pkg?: string;
}

// Loading a backend module is done once per process; the outcome is kept so
// repeated calls (and failures) are cheap and report the same reason.
const loaded = new Map<BackendName, Promise<Attempt>>();
let current: BackendInfo | undefined;
let gpuFallbackSaid = false;

/**
 * Select the backend for this process and make it the engine's current one.
 * Safe to call again: same choice gives the same result; another choice
 * switches (tensors already created move lazily to the new backend).
 */
export async function initBackend(choice: BackendChoice, log: Logger = silentLogger): Promise<BackendInfo> {
  const order: readonly BackendName[] = choice === 'auto' ? backendNames : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    const attempt = await load(name);
    if (attempt.ok && (await activate(name))) {
      const info: BackendInfo = {
        name,
        gpu: name === 'tensorflow' && usingGpu(),
        version: attempt.detail,
        reason: choice === 'auto' ? describeAuto(name, skipped) : `forced by --backend ${name}`,
      };
      if (current?.name !== info.name || current.reason !== info.reason) {
        log.info('tensorflow.js backend selected', { ...info });
      }
      const fallback = name === 'tensorflow' && attempt.pkg !== undefined ? gpuFallbackNote(attempt.pkg, info.gpu) : undefined;
      if (fallback !== undefined && !gpuFallbackSaid) {
        gpuFallbackSaid = true;
        log.warn(fallback, { package: attempt.pkg, gpuVisible: gpuVisible() });
      }
      current = info;
      return info;
    }
    skipped.push(`${name}: ${attempt.ok ? 'failed to initialise' : attempt.detail}`);
  }
  throw new SensorwatchError(
    `backend '${choice}' is not available (${skipped.join('; ')})` +
      (choice === 'tensorflow' ? "; run 'npm run native:install' (or 'npm run native:install -- --gpu') to install the native backend" : ''),
    { code: 'backend_unavailable', details: { choice, tried: skipped } },
  );
}

/** The backend chosen by the last successful initBackend call. */
export function currentBackend(): BackendInfo {
  if (current === undefined) {
    throw new SensorwatchError('no backend selected yet: call initBackend() first', { code: 'backend_not_initialised' });
  }
  return current;
}

/**
 * Backends this process can use, without changing the current one.
 * For tests and the benchmark, which compare backends side by side.
 */
export async function availableBackends(): Promise<BackendName[]> {
  const before = tf.getBackend();
  const out: BackendName[] = [];
  for (const name of backendNames) {
    if ((await load(name)).ok && (await activate(name))) out.push(name);
  }
  if (before && before !== tf.getBackend()) await tf.setBackend(before);
  return out;
}

function describeAuto(chosen: BackendName, skipped: string[]): string {
  const first = skipped.length === 0 ? `auto: ${chosen} is the first choice` : `auto: ${skipped.join('; ')}`;
  return chosen === 'cpu' ? `${first}; falling back to the pure-JavaScript cpu backend (slow)` : first;
}

function load(name: BackendName): Promise<Attempt> {
  let attempt = loaded.get(name);
  if (attempt === undefined) {
    attempt = name === 'tensorflow' ? loadNative() : name === 'wasm' ? loadWasm() : Promise.resolve({ ok: true, detail: tf.version_core });
    loaded.set(name, attempt);
  }
  return attempt;
}

async function activate(name: BackendName): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function loadWasm(): Promise<Attempt> {
  try {
    // In Node the package finds its .wasm files next to its own dist/ file,
    // so no setWasmPaths is needed. Threads are not used in Node (no
    // SharedArrayBuffer workers); SIMD is, where the CPU has it.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    return { ok: true, detail: wasm.version_wasm };
  } catch (error) {
    return { ok: false, detail: `@tensorflow/tfjs-backend-wasm failed to load: ${message(error)}` };
  }
}

async function loadNative(): Promise<Attempt> {
  const reasons: string[] = [];
  for (const pkg of nativePackageOrder(gpuVisible())) {
    // A package without its addon (npm kept the JavaScript, its install script
    // failed) would register its kernels and then throw; a second native package
    // loaded after it would then print a warning per kernel. Skip it unimported.
    if (addonBuilt(pkg) === false) {
      reasons.push(`${pkg} failed to load: its addon is not built (run 'npm run native:install${pkg === nativeGpuPackage ? ' -- --gpu' : ''}')`);
      continue;
    }
    const tried = await importNative(pkg);
    if (tried.ok) return tried;
    reasons.push(tried.detail);
  }
  return { ok: false, detail: reasons.join('; ') };
}

async function importNative(pkg: string): Promise<Attempt> {
  // Importing tfjs-node registers the 'tensorflow' backend and makes it
  // current as a side effect; initBackend sets the chosen one right after.
  const previous = tf.getBackend();
  // libtensorflow prints INFO lines (oneDNN, CPU features) straight to stderr,
  // which would break our one-JSON-object-per-line logs; warnings still show.
  // The CUDA build on a host without a GPU also prints its failed device search
  // at ERROR level (cuInit, cuFFT/cuDNN/cuBLAS factories); our one warn line
  // says the same, so there only FATAL shows. Read once per process by TF.
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= pkg === nativeGpuPackage && !gpuVisible() ? '3' : '1';
  let mod: { version?: Record<string, string> };
  try {
    // A variable specifier keeps TypeScript from requiring the optional package.
    const specifier: string = pkg;
    mod = (await import(specifier)) as { version?: Record<string, string> };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    return { ok: false, detail: missing ? `${pkg} not installed` : `${pkg} failed to load: ${message(error)}` };
  } finally {
    if (previous && tf.getBackend() !== previous) await activate(previous as BackendName);
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      detail: `${pkg} loaded but registered its backend with another copy of @tensorflow/tfjs (versions differ from ${tf.version_core}?)`,
    };
  }
  return { ok: true, pkg, detail: `${pkg} ${mod.version?.['tfjs-node'] ?? '?'}, libtensorflow ${nativeLibraryVersion()}` };
}

/** libtensorflow's own version, read from the addon once the backend exists. */
function nativeLibraryVersion(): string {
  try {
    // tfjs-node made the backend current on import, so an instance exists.
    const backend = tf.findBackend('tensorflow') as { binding?: { TF_Version?: unknown } } | null;
    const binding = backend?.binding;
    return typeof binding?.TF_Version === 'string' ? binding.TF_Version : '?';
  } catch {
    return '?';
  }
}

/** false when the package is installed without its native addon; undefined when not installed. */
function addonBuilt(pkg: string): boolean | undefined {
  let libDir: string;
  try {
    libDir = join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'lib');
  } catch {
    return undefined; // the import below says "not installed"
  }
  return existsSync(libDir) && readdirSync(libDir).some((d) => existsSync(join(libDir, d, 'tfjs_binding.node')));
}

function usingGpu(): boolean {
  const backend = tf.findBackend('tensorflow') as { isUsingGpuDevice?: unknown } | null;
  return backend?.isUsingGpuDevice === true;
}

/** An NVIDIA driver is the cheap signal that the GPU package should come first. */
function gpuVisible(): boolean {
  return gpuDriverPaths.some((path) => existsSync(path));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}
