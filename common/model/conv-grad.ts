// The wasm backend has no Conv2DBackpropFilter kernel (tfjs 4.22), so a
// convolutional model cannot train on it: the gradient of every Conv1D/Conv2D
// weight needs that kernel. This fills the gap with a plain JavaScript kernel
// (channels-last, no dilation: what tf.layers conv1d/conv2d use), registered
// only where the backend lacks one, so a future wasm release that ships its own
// kernel wins. Forward convolution and the input gradient stay on XNNPACK.
import * as tf from '@tensorflow/tfjs';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

interface ReadableBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/** Registers the kernel for `backendName` unless it already has one. Idempotent. */
export function ensureConvFilterGradient(backendName: string): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, backendName) !== undefined) return;
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName, kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
}

function conv2dBackpropFilter(args: {
  inputs: { x: tf.TensorInfo; dy: tf.TensorInfo };
  backend: ReadableBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): tf.TensorInfo {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  if (dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter (sensorwatch wasm kernel): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = args.backend.readSync(x.dataId);
  const dyv = args.backend.readSync(dy.dataId);
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let yc = 0; yc < outWidth; yc++) {
        const dyBase = ((b * outHeight + yr) * outWidth + yc) * outChannels;
        for (let wr = 0; wr < filterHeight; wr++) {
          const xr = yr * strideHeight + wr - top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let wc = 0; wc < filterWidth; wc++) {
            const xc = yc * strideWidth + wc - left;
            if (xc < 0 || xc >= inWidth) continue;
            const xBase = ((b * inHeight + xr) * inWidth + xc) * inChannels;
            const wBase = (wr * filterWidth + wc) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xval = xv[xBase + d1] ?? 0;
              if (xval === 0) continue;
              const row = wBase + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) dw[row + d2] = (dw[row + d2] ?? 0) + xval * (dyv[dyBase + d2] ?? 0);
            }
          }
        }
      }
    }
  }
  return args.backend.makeOutput(filterShape, 'float32', undefined, dw);
}
