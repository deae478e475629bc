import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gpuDriverPaths } from '../../../common/model/native-choice.ts';
import {
  cudaRequirements,
  gpuMarkers,
  gpuPresent,
  tarballName,
  variants,
  wantCudaLibs,
  wheelFilePrefix,
} from '../../../deploy/native/variant.mjs';

// The head of tensorflow-2.18.0's METADATA (Linux x86-64 wheel), trimmed.
const metadata = [
  'Metadata-Version: 2.1',
  'Name: tensorflow',
  'Version: 2.18.0',
  'Requires-Dist: absl-py >=1.0.0',
  "Requires-Dist: numpy <2.1.0,>=1.26.0",
  "Requires-Dist: nvidia-cublas-cu12 ==12.5.3.2 ; extra == 'and-cuda'",
  "Requires-Dist: nvidia-cuda-runtime-cu12 ==12.5.82 ; extra == 'and-cuda'",
  "Requires-Dist: nvidia-cudnn-cu12 ==9.3.0.75 ; extra == 'and-cuda'",
  "Requires-Dist: nvidia-nccl-cu12 ==2.21.5 ; extra == 'and-cuda'",
  "Requires-Dist: nvidia-other-cu12 ==1.0 ; extra == 'other'",
  '',
].join('\n');

describe('native install variants', () => {
  it('the CPU route is tfjs-node on tensorflow-cpu, the GPU route tfjs-node-gpu on tensorflow', () => {
    assert.equal(variants.cpu.pkgName, '@tensorflow/tfjs-node');
    assert.equal(variants.cpu.wheelProject, 'tensorflow-cpu');
    assert.equal(variants.gpu.pkgName, '@tensorflow/tfjs-node-gpu');
    assert.equal(variants.gpu.wheelProject, 'tensorflow');
  });

  it("wheel file prefixes are pip's file names and do not match each other's wheels", () => {
    const cpu = wheelFilePrefix(variants.cpu, '2.18.0');
    const gpu = wheelFilePrefix(variants.gpu, '2.18.0');
    assert.equal(cpu, 'tensorflow_cpu-2.18.0-');
    assert.equal(gpu, 'tensorflow-2.18.0-');
    assert.ok(!'tensorflow_cpu-2.18.0-cp311-cp311-manylinux_2_17_x86_64.whl'.startsWith(gpu));
    assert.equal(wheelFilePrefix({ ...variants.gpu, wheelProject: 'nvidia-cudnn-cu12' }, '9.3.0.75'), 'nvidia_cudnn_cu12-9.3.0.75-');
  });

  it('tarball names keep the CPU, GPU and GPU-with-CUDA builds apart', () => {
    assert.equal(tarballName(variants.cpu, '2.18.0', false), 'libtensorflow-cpu-linux-x86_64-2.18.0.tar.gz');
    assert.equal(tarballName(variants.gpu, '2.18.0', false), 'libtensorflow-gpu-linux-x86_64-2.18.0.tar.gz');
    assert.equal(tarballName(variants.gpu, '2.18.0', true), 'libtensorflow-gpu-cuda-linux-x86_64-2.18.0.tar.gz');
  });

  it("reads the exact CUDA wheel pins of the and-cuda extra from METADATA, nothing else", () => {
    assert.deepEqual(cudaRequirements(metadata), [
      { project: 'nvidia-cublas-cu12', version: '12.5.3.2' },
      { project: 'nvidia-cuda-runtime-cu12', version: '12.5.82' },
      { project: 'nvidia-cudnn-cu12', version: '9.3.0.75' },
      { project: 'nvidia-nccl-cu12', version: '2.21.5' },
    ]);
    assert.deepEqual(cudaRequirements('Name: tensorflow-cpu\nRequires-Dist: numpy\n'), []);
  });

  it('refuses a CUDA wheel without an exact version', () => {
    assert.throws(() => cudaRequirements("Requires-Dist: nvidia-cudnn-cu12 >=9 ; extra == 'and-cuda'\n"), /without an exact version: .*nvidia-cudnn-cu12/);
  });

  it('a GPU is present when any NVIDIA driver path exists', () => {
    assert.equal(gpuPresent(() => false), false);
    for (const marker of gpuMarkers) assert.equal(gpuPresent((p) => p === marker), true, marker);
    assert.deepEqual([...gpuMarkers], [...gpuDriverPaths], 'install and backend look for the same driver paths');
  });

  const cuda: { variant: 'cpu' | 'gpu'; gpu: boolean; cudaLibs: boolean | undefined; want: boolean }[] = [
    { variant: 'gpu', gpu: true, cudaLibs: undefined, want: true },
    { variant: 'gpu', gpu: false, cudaLibs: undefined, want: false },
    { variant: 'gpu', gpu: false, cudaLibs: true, want: true },
    { variant: 'gpu', gpu: true, cudaLibs: false, want: false },
    { variant: 'cpu', gpu: true, cudaLibs: undefined, want: false },
    { variant: 'cpu', gpu: true, cudaLibs: true, want: false },
  ];
  for (const c of cuda) {
    it(`CUDA wheels for ${c.variant}, GPU ${c.gpu}, --cuda-libs ${String(c.cudaLibs)}: ${c.want}`, () => {
      assert.equal(wantCudaLibs(c), c.want);
    });
  }
});
