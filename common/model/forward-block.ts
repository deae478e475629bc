// One block of the batched forward pass and the error pass after it: the code
// both threads of forward-threads.ts run, the main thread as compiled here and
// the worker from these functions' source text. So every function here is
// self-contained: it uses its parameters, Math and Atomics only (no imports,
// no module-level names, no closures), and its source runs as plain
// JavaScript once the types are gone.

export type JsActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';

/** Rows per block: the block's input (32 × 512 floats for the reference model) stays in L1/L2 next to a weight panel. */
export const blockRows = 32;

/**
 * Where a batched plan keeps everything in its (shared) memory, as float32
 * indices (perChannel and newest: float64 indices). The first layer reads a
 * block of the input in place; each thread has its own hidden and output
 * buffers of `blockRows` rows.
 */
export interface BlockLayout {
  /** Window width (L · C) and the input's row stride (width padded to 4; the padding stays zero). */
  width: number;
  stride0: number;
  windowLength: number;
  channels: number;
  /** Row stride of the last layer's output (its units padded to 8). */
  outU8: number;
  /** Row 0 of the input rows; there is room for `rowsCap` rows. */
  input: number;
  rowsCap: number;
  /** Per layer: its weights in panels of eight units, the bias, padded sizes, activation. */
  steps: { w: number; b: number; n4: number; u8: number; activation: JsActivation }[];
  /**
   * Per thread (0: the caller, 1: the worker): the block's input packed in
   * tiles of four rows (`blockRows` × stride0), two hidden buffers (packed so
   * too) and the output buffer (row-major).
   */
  scratch: { packed: number; hidden: [number, number]; out: number }[];
  /** Per row and channel, float64: the error share and the newest samples' mean squared residual. */
  perChannel: number;
  newest: number;
}

/** y[from .. from + n) = act(y[from .. from + n)). */
export function activate(y: Float32Array, from: number, n: number, activation: JsActivation): void {
  const end = from + n;
  switch (activation) {
    case 'relu':
      for (let i = from; i < end; i++) if ((y[i] as number) < 0) y[i] = 0;
      return;
    case 'tanh':
      for (let i = from; i < end; i++) y[i] = Math.tanh(y[i] as number);
      return;
    case 'sigmoid':
      for (let i = from; i < end; i++) y[i] = 1 / (1 + Math.exp(-(y[i] as number)));
      return;
    case 'linear':
      return;
  }
}

/**
 * One window's squared residuals x − r per channel: the share of the error
 * (Σ over all L samples / (L·C)) into perChannel[pAt + c] and the mean over
 * the newest S samples into newest[nAt + c]. A channel at a time with both
 * sums in registers; each sum adds its terms in time order, as a single
 * interleaved pass would.
 */
export function residualSums(
  x: Float32Array,
  xAt: number,
  r: Float32Array,
  rAt: number,
  L: number,
  C: number,
  S: number,
  perChannel: Float64Array,
  pAt: number,
  newest: Float64Array,
  nAt: number,
): void {
  const from = (L - S) * C;
  const all = L * C;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    let recent = 0;
    let i = c;
    for (; i < from; i += C) {
      const d = (x[xAt + i] as number) - (r[rAt + i] as number);
      sum += d * d;
    }
    for (; i < all; i += C) {
      const d = (x[xAt + i] as number) - (r[rAt + i] as number);
      const sq = d * d;
      sum += sq;
      recent += sq;
    }
    perChannel[pAt + c] = sum / all;
    newest[nAt + c] = recent / S;
  }
}

/**
 * Block `block` of `rows` normalised input rows (already in place): the rows
 * packed in tiles of four (packRows: the four rows' inputs interleaved, so the
 * kernel walks one pointer through x), then the forward pass through every
 * layer on the kernel's gemmPacked (the Relu variants for relu layers; four
 * rows per pass over a weight panel; the rows that pad the block to four are
 * zeros), each layer writing the next one's packed input and the last one
 * writing its rows in order (gemmPackedRows), then each row's residual sums
 * (the kernel's `residual`, what residualSums computes) into the layout's
 * perChannel and newest. Every output sums the same products in the same
 * order as the row-major gemm: the values are bit for bit that kernel's.
 */
export type Gemm = (x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number) => void;

export type Residual = (x: number, r: number, L: number, C: number, S: number, p: number, q: number) => void;

/** The kernel functions a block runs (dense-simd.ts; byte offsets). */
export interface BlockKernel {
  gemmPacked: Gemm;
  gemmPackedRelu: Gemm;
  gemmPackedRows: Gemm;
  gemmPackedRowsRelu: Gemm;
  packRows: (x: number, d: number, n4: number, rows: number) => void;
  residual: Residual;
}

export function computeBlock(
  kernel: BlockKernel,
  heap: Float32Array,
  layout: BlockLayout,
  thread: number,
  block: number,
  rows: number,
  S: number,
  blockSize: number,
): void {
  const first = block * blockSize;
  const count = Math.min(blockSize, rows - first);
  const count4 = (count + 3) & ~3;
  const xAt = layout.input + first * layout.stride0;
  const scratch = layout.scratch[thread] as BlockLayout['scratch'][number];
  const steps = layout.steps;
  const last = steps.length - 1;
  kernel.packRows(xAt * 4, scratch.packed * 4, layout.stride0, count4);
  let from = scratch.packed;
  for (let k = 0; k <= last; k++) {
    const s = steps[k] as BlockLayout['steps'][number];
    const to = k === last ? scratch.out : (scratch.hidden[k % 2] as number);
    // relu is applied by the kernel as it stores (same result as activate's relu); the others here (elementwise: any layout).
    const relu = s.activation === 'relu';
    const gemm = k === last ? (relu ? kernel.gemmPackedRowsRelu : kernel.gemmPackedRows) : relu ? kernel.gemmPackedRelu : kernel.gemmPacked;
    gemm(from * 4, s.w * 4, s.b * 4, to * 4, s.n4, s.u8, count4);
    if (!relu) activate(heap, to, count4 * s.u8, s.activation);
    from = to;
  }
  // The residual sums on the kernel (bit-identical to residualSums; byte offsets).
  const C = layout.channels;
  for (let r = 0; r < count; r++) {
    const row = first + r;
    kernel.residual((xAt + r * layout.stride0) * 4, (scratch.out + r * layout.outU8) * 4, layout.windowLength, C, S, (layout.perChannel + row * C) * 8, (layout.newest + row * C) * 8);
  }
}
