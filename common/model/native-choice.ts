// Which native TensorFlow package the `tensorflow` backend loads, and what it
// says when the GPU build ends up on the CPU (issue 21). Pure: backend.ts does
// the loading; test/unit/common/model/native-choice.test.ts states the rules.
//
// Both packages register the same `tensorflow` backend, so only one can be
// loaded per process. tfjs-node-gpu carries the CUDA build of libtensorflow,
// which also runs on the CPU when no CUDA device (or no CUDA library) is found.

export const nativeGpuPackage = '@tensorflow/tfjs-node-gpu';
export const nativeCpuPackage = '@tensorflow/tfjs-node';

/** Paths the NVIDIA kernel driver creates; any one means a GPU is there (as deploy/native/variant.mjs). */
export const gpuDriverPaths = ['/proc/driver/nvidia', '/dev/nvidiactl', '/dev/nvidia0'] as const;

/** The one line a GPU install prints when it runs on the CPU. */
export const gpuFallbackLine = 'tensorflow-gpu: no CUDA device found; running on the CPU';

/**
 * The order to try the native packages in. With a GPU visible the GPU build
 * comes first. Without one the CPU build comes first (a smaller library, and
 * what this machine ran before tfjs-node-gpu existed here); the GPU build is
 * still tried after it, because it runs on the CPU too, so a host where only
 * `npm run native:install -- --gpu` was run keeps the native backend.
 */
export function nativePackageOrder(gpuVisible: boolean): readonly string[] {
  return gpuVisible ? [nativeGpuPackage, nativeCpuPackage] : [nativeCpuPackage, nativeGpuPackage];
}

/** The fallback line when `pkg` was loaded but runs no kernel on a GPU, else undefined. */
export function gpuFallbackNote(pkg: string, usingGpu: boolean): string | undefined {
  return pkg === nativeGpuPackage && !usingGpu ? gpuFallbackLine : undefined;
}
