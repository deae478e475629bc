// What differs between the CPU and the GPU route of `npm run native:install`
// (issue 8, issue 21): which npm package gets the addon, which PyPI wheel holds
// the matching libtensorflow, and which CUDA runtime wheels the GPU build needs.
// Pure: no I/O, so test/unit/deploy/native-variant.test.ts can state it exactly.

/** @type {Record<'cpu' | 'gpu', import('./variant.d.mts').Variant>} */
export const variants = {
  cpu: {
    kind: 'cpu',
    pkgName: '@tensorflow/tfjs-node',
    // The CPU-only build: libtensorflow without CUDA, about 230 MB.
    wheelProject: 'tensorflow-cpu',
    wheelSizeMb: 230,
  },
  gpu: {
    kind: 'gpu',
    pkgName: '@tensorflow/tfjs-node-gpu',
    // On Linux x86-64 the plain `tensorflow` wheel is the CUDA build (about 615 MB).
    // It loads without a GPU and without CUDA: its CUDA libraries are opened on
    // demand, and when none are found it runs its CPU kernels.
    wheelProject: 'tensorflow',
    wheelSizeMb: 615,
  },
};

/** The file name pip saves a wheel under starts with the project name, '-' as '_'. */
export function wheelFilePrefix(variant, tfVersion) {
  return `${variant.wheelProject.replace(/-/g, '_')}-${tfVersion}-`;
}

/** The libtensorflow tarball this variant repacks to; CUDA libraries inside change the name. */
export function tarballName(variant, tfVersion, withCuda) {
  return `libtensorflow-${variant.kind}${withCuda ? '-cuda' : ''}-linux-x86_64-${tfVersion}.tar.gz`;
}

/**
 * The CUDA runtime wheels a TensorFlow wheel names under its `and-cuda` extra,
 * read from the wheel's METADATA, e.g.
 *   Requires-Dist: nvidia-cudnn-cu12 ==9.3.0.75 ; extra == 'and-cuda'
 * Exact pins only: a range would make the install depend on the day it ran.
 */
export function cudaRequirements(metadata) {
  const out = [];
  const loose = [];
  for (const line of metadata.split(/\r?\n/)) {
    const m = /^Requires-Dist:\s*([^;]*);(.*)$/.exec(line);
    if (m === null || !/extra\s*==\s*["']and-cuda["']/.test(m[2])) continue;
    const req = /^(nvidia-[A-Za-z0-9._-]+)\s*\(?\s*==\s*([^\s,)]+)\s*\)?$/.exec(m[1].trim());
    if (req !== null) out.push({ project: req[1], version: req[2] });
    else if (/^nvidia-/.test(m[1].trim())) loose.push(m[1].trim());
  }
  if (loose.length > 0) throw new Error(`the wheel names CUDA wheels without an exact version: ${loose.join('; ')}`);
  return out;
}

/** Device files the NVIDIA kernel driver creates; any one means a GPU is there. */
export const gpuMarkers = ['/proc/driver/nvidia', '/dev/nvidiactl', '/dev/nvidia0'];

export function gpuPresent(exists) {
  return gpuMarkers.some((p) => exists(p));
}

/**
 * Whether to fetch the CUDA wheels (several GB): on a GPU host yes, elsewhere no
 * (they would never be loaded), unless --cuda-libs / --no-cuda-libs says otherwise.
 * @param {{ variant: 'cpu' | 'gpu', gpu: boolean, cudaLibs: boolean | undefined }} o
 */
export function wantCudaLibs({ variant, gpu, cudaLibs }) {
  if (variant !== 'gpu') return false;
  return cudaLibs ?? gpu;
}
