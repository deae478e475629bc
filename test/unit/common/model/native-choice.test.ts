import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  gpuFallbackLine,
  gpuFallbackNote,
  nativeCpuPackage,
  nativeGpuPackage,
  nativePackageOrder,
} from '../../../../common/model/native-choice.ts';

describe('native package choice', () => {
  it('with a GPU visible the GPU build comes first, the CPU build after it', () => {
    assert.deepEqual(nativePackageOrder(true), ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
  });

  it('without a GPU the CPU build comes first and the GPU build is still tried', () => {
    assert.deepEqual(nativePackageOrder(false), ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']);
  });

  const notes: { pkg: string; usingGpu: boolean; note: string | undefined }[] = [
    { pkg: nativeGpuPackage, usingGpu: false, note: 'tensorflow-gpu: no CUDA device found; running on the CPU' },
    { pkg: nativeGpuPackage, usingGpu: true, note: undefined },
    { pkg: nativeCpuPackage, usingGpu: false, note: undefined },
  ];
  for (const c of notes) {
    it(`${c.pkg} ${c.usingGpu ? 'on' : 'off'} the GPU: ${c.note ?? 'no fallback line'}`, () => {
      assert.equal(gpuFallbackNote(c.pkg, c.usingGpu), c.note);
    });
  }

  it('the fallback line is one line', () => {
    assert.doesNotMatch(gpuFallbackLine, /\n/);
  });
});
