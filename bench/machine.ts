// What the numbers were measured on: CPU, cores, memory, Node, tfjs and the
// backends, and the Python side of the references.
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../common/model/backend.ts';
import type { PythonEnv } from './reference/python.ts';
import { backendNames, type BackendInfo, type BackendName, type MachineInfo } from './report.ts';

/** Tries every backend once; each one that fails carries the reason. */
export async function probeBackends(): Promise<Record<BackendName, BackendInfo>> {
  const out = {} as Record<BackendName, BackendInfo>;
  for (const name of backendNames) {
    try {
      const info = await initBackend(name);
      out[name] = { available: true, version: info.version, reason: null };
    } catch (error) {
      out[name] = { available: false, version: null, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  return out;
}

export function describeMachine(backends: Record<BackendName, BackendInfo>, python: PythonEnv | null): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    totalMemoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
    tfjs: tf.version.tfjs,
    backends,
    python: python?.pythonVersion ?? null,
    numpy: python?.numpy ?? null,
    blas: python?.blas ?? null,
    pythonTensorflow: python?.tensorflow ?? null,
    loadAverage: loadavg(),
  };
}
