// A WebAssembly SIMD kernel for one dense layer, y = x · Wᵀ + b (the activation
// is applied by the caller), assembled here byte by byte so that no compiler
// or binary file is needed. float32 throughout, like TF.js. Four output units
// at a time over four float32 lanes: each 16-byte load of x serves sixteen
// multiply-adds. Used by forward-js.ts for small batches.
//
// dense(x, w, b, y, n4, u4): all pointers are byte offsets into the module's
// exported memory `mem`; x holds n4 floats, w is [u4][n4] row-major (each output
// unit's weights contiguous), b and y hold u4 floats. n4 and u4 are multiples of
// 4 (callers pad with zeros), both at least 4.
//
// The assembler helpers and gemmBody are exported for the training kernels
// (train-kernels.ts), which build a module of their own. The batched scoring
// pass (forward-block.ts) runs gemmPacked: x packed in tiles of four rows too.

export const i32 = 0x7f;
export const v128 = 0x7b;
// Parameters, then locals, by index.
const [X, W, B, Y, N4, U4] = [0, 1, 2, 3, 4, 5];
const [J, I, P0, P1, P2, P3, ROW, JB] = [6, 7, 8, 9, 10, 11, 12, 13];
const ACC = [14, 15, 16, 17] as const;
const XV = 18;

export const get = (i: number): number[] => [0x20, i];
export const set = (i: number): number[] => [0x21, i];
export const tee = (i: number): number[] => [0x22, i];
export const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
export const add = 0x6a;
export const shl = 0x74;
export const ltU = 0x49;
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128Load = simd(0x00, 0, 0); // align 2^0 (no promise), offset 0
export const f32x4Add = simd(0xe4);
export const f32x4Mul = simd(0xe6);
const lane = (l: number): number[] => simd(0x1f, l);
const f32Add = 0x92;
const f32Load = (offset: number): number[] => [0x2a, 2, ...uleb(offset)];
const f32Store = (offset: number): number[] => [0x38, 2, ...uleb(offset)];

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const str = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

function body(): number[] {
  const code: number[] = [
    ...get(N4), ...i32Const(2), shl, ...set(ROW),
    ...get(W), ...set(P0),
    0x03, 0x40, // loop over blocks of four units
    ...get(P0), ...get(ROW), add, ...tee(P1), ...get(ROW), add, ...tee(P2), ...get(ROW), add, ...set(P3),
    ...ACC.flatMap((a) => [...simd(0x0c, ...new Array<number>(16).fill(0)), ...set(a)]),
    ...i32Const(0), ...set(I),
    0x03, 0x40, // loop over the inputs, four at a time
    ...get(X), ...get(I), add, ...v128Load, ...set(XV),
    ...[P0, P1, P2, P3].flatMap((p, k) => [...get(ACC[k] as number), ...get(XV), ...get(p), ...get(I), add, ...v128Load, ...f32x4Mul, ...f32x4Add, ...set(ACC[k] as number)]),
    ...get(I), ...i32Const(16), add, ...tee(I), ...get(ROW), ltU, 0x0d, 0, // br_if inner
    0x0b,
    ...get(J), ...i32Const(2), shl, ...set(JB),
    ...[0, 1, 2, 3].flatMap((k) => {
      const acc = ACC[k] as number;
      return [
        ...get(Y), ...get(JB), add,
        ...get(acc), ...lane(0), ...get(acc), ...lane(1), f32Add, ...get(acc), ...lane(2), f32Add, ...get(acc), ...lane(3), f32Add,
        ...get(B), ...get(JB), add, ...f32Load(4 * k), f32Add,
        ...f32Store(4 * k),
      ];
    }),
    ...get(P3), ...get(ROW), add, ...set(P0),
    ...get(J), ...i32Const(4), add, ...tee(J), ...get(U4), ltU, 0x0d, 0, // br_if outer
    0x0b,
    0x0b, // end of function
  ];
  const locals = vec([[8, i32], [5, v128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

// gemm(x, w, b, y, n4, u8, rows): Y = X · W + b for a block of rows (batched
// scoring), a register tile of four rows × eight units: each input step loads
// two weight vectors and splats one input per row, 32 multiply-adds per six
// loads (the most V8 keeps in its 16 vector registers without spilling; an
// unrolled input loop spilled and ran slower). Panels outside, rows inside: a
// panel's weights (n4 × 8 floats, 16 KiB for 512 inputs) stay in L1 while every
// row of the block passes over them. x is [rows][n4], w packed in panels of
// eight units ([u8 / 8][n4][8], each panel contiguous), b holds u8 floats, y is
// [rows][u8]. n4 is a multiple of 4 (callers pad inputs and weights with
// zeros), u8 of 8, rows of 4.
const [GX, GW, GB, GY, GN4, GU8, GROWS] = [0, 1, 2, 3, 4, 5, 6];
const [XS, YS, R, GP0, GP1, GP2, GP3, PB, PW, GJ, T0, END, Q] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const GACC = [20, 21, 22, 23, 24, 25, 26, 27] as const; // row k, vector v: GACC[2k + v]
const [SPLAT, W0, W1] = [28, 29, 30];
export const mul = 0x6c;
export const v128LoadAt = (offset: number): number[] => simd(0x00, 0, ...uleb(offset));
const load32SplatAt = (offset: number): number[] => simd(0x09, 0, ...uleb(offset));
export const v128Store = (offset: number): number[] => simd(0x0b, 0, ...uleb(offset));
const rows4 = [GP0, GP1, GP2, GP3] as const;
const f32x4Pmax = simd(0xeb);

export function gemmBody({ relu }: { relu: boolean }): number[] {
  const inputStep = (): number[] => [
    ...get(PW), ...v128LoadAt(0), ...set(W0),
    ...get(PW), ...v128LoadAt(16), ...set(W1),
    ...rows4.flatMap((p, k) => [
      ...get(p), ...load32SplatAt(0), ...set(SPLAT),
      ...get(GACC[2 * k] as number), ...get(SPLAT), ...get(W0), ...f32x4Mul, ...f32x4Add, ...set(GACC[2 * k] as number),
      ...get(GACC[2 * k + 1] as number), ...get(SPLAT), ...get(W1), ...f32x4Mul, ...f32x4Add, ...set(GACC[2 * k + 1] as number),
    ]),
  ];
  // gemmRelu: y = max(y, 0) as pmax (y < 0 ? 0 : y), which is what the JS relu does (NaN and -0 stay).
  const reluStep = relu ? [...simd(0x0c, ...new Array<number>(16).fill(0)), ...f32x4Pmax] : [];
  const code: number[] = [
    ...get(GN4), ...i32Const(2), shl, ...set(XS),
    ...get(GU8), ...i32Const(2), shl, ...set(YS),
    ...get(GW), ...set(PB),
    ...i32Const(0), ...set(GJ),
    0x03, 0x40, // loop over panels of eight units: the panel (n4 × 8 floats) stays in L1 for every row
    ...i32Const(0), ...set(R),
    0x03, 0x40, // loop over tiles of four rows
    ...get(GX), ...get(R), ...get(XS), mul, add, ...tee(T0), ...get(XS), add, ...set(END),
    ...GACC.flatMap((a) => [...simd(0x0c, ...new Array<number>(16).fill(0)), ...set(a)]),
    ...get(T0), ...tee(GP0), ...get(XS), add, ...tee(GP1), ...get(XS), add, ...tee(GP2), ...get(XS), add, ...set(GP3),
    ...get(PB), ...set(PW),
    0x03, 0x40, // loop over the inputs
    ...inputStep(),
    ...get(PW), ...i32Const(32), add, ...set(PW),
    ...rows4.flatMap((p) => [...get(p), ...i32Const(4), add, ...set(p)]),
    ...get(GP0), ...get(END), ltU, 0x0d, 0, // br_if inputs
    0x0b,
    // y[row][j .. j + 8) = acc + b[j .. j + 8), row by row.
    ...get(GY), ...get(R), ...get(YS), mul, add, ...get(GJ), add, ...set(Q),
    ...[0, 1, 2, 3].flatMap((k) => [
      ...(k === 0 ? [] : [...get(Q), ...get(YS), add, ...set(Q)]),
      ...get(Q), ...get(GACC[2 * k] as number), ...get(GB), ...get(GJ), add, ...v128LoadAt(0), ...f32x4Add, ...reluStep, ...v128Store(0),
      ...get(Q), ...get(GACC[2 * k + 1] as number), ...get(GB), ...get(GJ), add, ...v128LoadAt(16), ...f32x4Add, ...reluStep, ...v128Store(16),
    ]),
    ...get(R), ...i32Const(4), add, ...tee(R), ...get(GROWS), ltU, 0x0d, 0, // br_if row tiles
    0x0b,
    ...get(PB), ...get(XS), ...i32Const(3), shl, add, ...set(PB),
    ...get(GJ), ...i32Const(32), add, ...tee(GJ), ...get(YS), ltU, 0x0d, 0, // br_if panels
    0x0b,
    0x0b, // end of function
  ];
  const locals = vec([[13, i32], [11, v128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

// residual(x, r, L, C, S, p, q): one window's residual sums, bit for bit what
// residualSums (forward-block.ts) computes: per channel c, d = x − r in
// float64 (float32 values promoted), the sum of d² over all L samples in time
// order into p[c] / (L·C) and the sum over the newest S samples into q[c] / S.
// Two channels at a time (f64x2 lanes); for an odd C the last pair's second
// lane reads the next sample's first channel and is not stored. x and r are
// byte offsets of the window's rows (row-major [L][C] float32), p and q of
// C float64 each.
const [RX, RR, RL, RC, RS, RP, RQ] = [0, 1, 2, 3, 4, 5, 6];
const [RC4, RCH, RPX, RPR, RT, RFROM] = [7, 8, 9, 10, 11, 12];
const [RSUM, RREC, RD] = [13, 14, 15];
const load64Zero = simd(0x5d, 0, 0);
const promoteLow = simd(0x5f);
const f64x2Add = simd(0xf0);
const f64x2Sub = simd(0xf1);
const f64x2Mul = simd(0xf2);
const f64x2Div = simd(0xf3);
const f64x2Splat = simd(0x14);
const f64Lane = (l: number): number[] => simd(0x21, l);
const f64Store = (offset: number): number[] => [0x39, 3, ...uleb(offset)];
const f64FromI32 = 0xb7;
const sub = 0x6b;
const ltS = 0x48;

function residualBody(): number[] {
  // d² of the pair at PX, PR into RD.
  const square = [
    ...get(RPX), ...load64Zero, ...promoteLow, ...get(RPR), ...load64Zero, ...promoteLow, ...f64x2Sub, ...tee(RD), ...get(RD), ...f64x2Mul, ...set(RD),
  ];
  const advance = [...get(RPX), ...get(RC4), add, ...set(RPX), ...get(RPR), ...get(RC4), add, ...set(RPR), ...get(RT), ...i32Const(1), add, ...tee(RT)];
  const store = (lane: number): number[] => [
    ...get(RP), ...get(RCH), ...i32Const(3), shl, add, ...get(RSUM), ...get(RL), ...get(RC), mul, f64FromI32, ...f64x2Splat, ...f64x2Div, ...f64Lane(lane), ...f64Store(8 * lane),
    ...get(RQ), ...get(RCH), ...i32Const(3), shl, add, ...get(RREC), ...get(RS), f64FromI32, ...f64x2Splat, ...f64x2Div, ...f64Lane(lane), ...f64Store(8 * lane),
  ];
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  const code: number[] = [
    ...get(RC), ...i32Const(2), shl, ...set(RC4),
    ...get(RL), ...get(RS), sub, ...set(RFROM),
    ...i32Const(0), ...set(RCH),
    0x03, 0x40, // loop over channel pairs
    ...zero, ...set(RSUM), ...zero, ...set(RREC),
    ...get(RX), ...get(RCH), ...i32Const(2), shl, add, ...set(RPX),
    ...get(RR), ...get(RCH), ...i32Const(2), shl, add, ...set(RPR),
    ...i32Const(0), ...set(RT),
    // the older samples: into the sum only (skipped when S = L)
    0x02, 0x40, ...get(RFROM), ...i32Const(1), ltS, 0x0d, 0,
    0x03, 0x40,
    ...square, ...get(RSUM), ...get(RD), ...f64x2Add, ...set(RSUM),
    ...advance, ...get(RFROM), ltS, 0x0d, 0,
    0x0b,
    0x0b,
    // the newest S samples (S ≥ 1): into both
    0x03, 0x40,
    ...square, ...get(RSUM), ...get(RD), ...f64x2Add, ...set(RSUM), ...get(RREC), ...get(RD), ...f64x2Add, ...set(RREC),
    ...advance, ...get(RL), ltS, 0x0d, 0,
    0x0b,
    ...store(0),
    // the second lane, unless C is odd and this is the last pair
    ...get(RCH), ...i32Const(1), add, ...get(RC), ltS, 0x04, 0x40, ...store(1), 0x0b,
    ...get(RCH), ...i32Const(2), add, ...tee(RCH), ...get(RC), ltS, 0x0d, 0,
    0x0b,
    0x0b,
  ];
  const locals = vec([[6, i32], [3, v128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module: `dense` and `gemm`, with a memory of its own (exported as `mem`)
 * or, `shared`, importing a shared memory `e.m` (up to 4 GiB) that instances
 * on several threads use at once (forward-threads.ts).
 */
function moduleBytes({ shared }: { shared: boolean }): Uint8Array {
  const params = (n: number): number[] => vec(new Array<number[]>(n).fill([i32]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...params(6), ...vec([])], [0x60, ...params(7), ...vec([])], [0x60, ...params(4), ...vec([])]])),
    // Import: module "e", name "m", a memory with flags 3 (shared, with a maximum), at least 1 page, at most 65536.
    ...(shared ? section(2, vec([[...str('e'), ...str('m'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]])) : []),
    ...section(3, vec([[0], [1], [1], [1], [1], [1], [1], [1], [2]])),
    ...(shared ? [] : section(5, vec([[0x00, 1]]))),
    ...section(7, vec([[...str('dense'), 0x00, 0], [...str('gemm'), 0x00, 1], [...str('gemmRelu'), 0x00, 2], [...str('residual'), 0x00, 3],
      [...str('gemmPacked'), 0x00, 4], [...str('gemmPackedRelu'), 0x00, 5], [...str('gemmPackedRows'), 0x00, 6], [...str('gemmPackedRowsRelu'), 0x00, 7], [...str('packRows'), 0x00, 8],
      ...(shared ? [] : [[...str('mem'), 0x02, 0]])])),
    ...section(
      10,
      vec([
        body(),
        gemmBody({ relu: false }),
        gemmBody({ relu: true }),
        residualBody(),
        gemmPackedBody({ relu: false, rowsOut: false }),
        gemmPackedBody({ relu: true, rowsOut: false }),
        gemmPackedBody({ relu: false, rowsOut: true }),
        gemmPackedBody({ relu: true, rowsOut: true }),
        packRowsBody(),
      ]),
    ),
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

export interface DenseKernel {
  /** 64 KiB pages; grow it before taking views (growing detaches them). */
  readonly memory: WasmMemory;
  dense(x: number, w: number, b: number, y: number, n4: number, u4: number): void;
  /** Batched: y = x · w + b over `rows` rows (a multiple of 4); w in panels of eight units (see gemmBody). */
  gemm(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  /** gemm, then relu (y < 0 → 0) as each tile is stored. */
  gemmRelu(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  /** One window's residual sums (see residualBody); bit-identical to forward-block.ts's residualSums. */
  residual(x: number, r: number, L: number, C: number, S: number, p: number, q: number): void;
  /** gemm with x packed in tiles of four rows ([rows / 4][n4][4]) and y written so too (see gemmPackedBody); bit for bit gemm's values. */
  gemmPacked(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  gemmPackedRelu(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  /** gemmPacked writing y row-major ([rows][u8]) as gemm does. */
  gemmPackedRows(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  gemmPackedRowsRelu(x: number, w: number, b: number, y: number, n4: number, u8: number, rows: number): void;
  /** d = x ([rows][n4]) packed in tiles of four rows, [rows / 4][n4][4] (see packRowsBody). */
  packRows(x: number, d: number, n4: number, rows: number): void;
}

const kernelExports = (e: Omit<DenseKernel, 'memory'>): Omit<DenseKernel, 'memory'> => ({
  dense: e.dense,
  gemm: e.gemm,
  gemmRelu: e.gemmRelu,
  residual: e.residual,
  gemmPacked: e.gemmPacked,
  gemmPackedRelu: e.gemmPackedRelu,
  gemmPackedRows: e.gemmPackedRows,
  gemmPackedRowsRelu: e.gemmPackedRowsRelu,
  packRows: e.packRows,
});

let compiled: object | null | undefined;

export const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Whether this process has WebAssembly with SIMD (compiles the module once). */
export function simdSupported(): boolean {
  const wasm = wasmApi();
  if (wasm === undefined) return false;
  if (compiled === undefined) {
    const bytes = moduleBytes({ shared: false });
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled !== null;
}

/** A fresh kernel instance with its own memory, or null where WebAssembly SIMD is unavailable. */
export function denseKernel(): DenseKernel | null {
  const wasm = wasmApi();
  if (wasm === undefined || !simdSupported() || compiled === null || compiled === undefined) return null;
  const exports = new wasm.Instance(compiled, {}).exports as Omit<DenseKernel, 'memory'> & { mem: WasmMemory };
  return { memory: exports.mem, ...kernelExports(exports) };
}

let compiledShared: object | null | undefined;

/**
 * The module that imports a shared memory (`e.m`), compiled once; null where
 * WebAssembly SIMD or shared memories (threads) are unavailable. A compiled
 * module can be posted to a worker, which instantiates it on the same memory.
 */
export function sharedKernelModule(): object | null {
  const wasm = wasmApi();
  if (wasm === undefined || !simdSupported()) return null;
  if (compiledShared === undefined) {
    try {
      const bytes = moduleBytes({ shared: true });
      compiledShared = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
      if (compiledShared !== null) new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    } catch {
      compiledShared = null;
    }
  }
  return compiledShared;
}

/** A shared memory of exactly `pages` 64 KiB pages (never grown, so views stay valid). */
export function sharedMemory(pages: number): WasmMemory {
  const wasm = wasmApi();
  if (wasm === undefined) throw new Error('WebAssembly is unavailable');
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
}

/** The kernel on a shared memory (the calling thread's instance of the shared module). */
export function sharedKernel(module: object, memory: WasmMemory): Omit<DenseKernel, 'memory'> {
  const wasm = wasmApi();
  if (wasm === undefined) throw new Error('WebAssembly is unavailable');
  const exports = new wasm.Instance(module, { e: { m: memory } }).exports as Omit<DenseKernel, 'memory'>;
  return kernelExports(exports);
}

// gemmPacked(x, w, b, y, n4, u8, rows) and gemmPackedRows (same arguments): the
// batched kernel (gemmBody's 4 × 8 register tile, the same products summed in
// the same order, so bit for bit its results) with the x operand packed too:
// x is [rows / 4][n4][4], each tile of four rows interleaved input by input
// (see packRowsBody), so an input step reads the tile's four inputs from one
// 16-byte run and one pointer walks x (instead of four rows n4 floats apart).
// gemmPacked writes y packed the same way ([rows / 4][u8][4], the next
// layer's x: each stored tile is transposed in registers), gemmPackedRows
// writes y row-major ([rows][u8]) like gemm. relu as gemmBody's.
const [KX, KW, KB, KY, KN4, KU8, KROWS] = [0, 1, 2, 3, 4, 5, 6];
const [KXT, KYS, KR, KPA, KPB, KPW, KJ, KEND, KQ, KTX] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const KACC = [17, 18, 19, 20, 21, 22, 23, 24] as const; // row k, vector v: KACC[2k + v]
const [KSPLAT, KW0, KW1, KT0, KT1, KT2, KT3] = [25, 26, 27, 28, 29, 30, 31];
/** i8x16.shuffle of two f32x4 by float lanes (0–3: the first operand, 4–7: the second). */
const shuffle32 = (lanes: readonly number[]): number[] => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));

/** The 4 × 4 transpose of the vectors in locals `rows` into locals `out` (may be the same), through temps. */
function transpose4(rows: readonly number[], out: readonly number[], temps: readonly number[]): number[] {
  const [r0, r1, r2, r3] = rows as [number, number, number, number];
  const [t0, t1, t2, t3] = temps as [number, number, number, number];
  const [c0, c1, c2, c3] = out as [number, number, number, number];
  return [
    ...get(r0), ...get(r1), ...shuffle32([0, 4, 1, 5]), ...set(t0),
    ...get(r0), ...get(r1), ...shuffle32([2, 6, 3, 7]), ...set(t1),
    ...get(r2), ...get(r3), ...shuffle32([0, 4, 1, 5]), ...set(t2),
    ...get(r2), ...get(r3), ...shuffle32([2, 6, 3, 7]), ...set(t3),
    ...get(t0), ...get(t2), ...shuffle32([0, 1, 4, 5]), ...set(c0),
    ...get(t0), ...get(t2), ...shuffle32([2, 3, 6, 7]), ...set(c1),
    ...get(t1), ...get(t3), ...shuffle32([0, 1, 4, 5]), ...set(c2),
    ...get(t1), ...get(t3), ...shuffle32([2, 3, 6, 7]), ...set(c3),
  ];
}

export function gemmPackedBody({ relu, rowsOut }: { relu: boolean; rowsOut: boolean }): number[] {
  const inputStep = (): number[] => [
    ...get(KPW), ...v128LoadAt(0), ...set(KW0),
    ...get(KPW), ...v128LoadAt(16), ...set(KW1),
    ...[0, 1, 2, 3].flatMap((k) => [
      ...get(KPA), ...load32SplatAt(4 * k), ...set(KSPLAT),
      ...get(KACC[2 * k] as number), ...get(KSPLAT), ...get(KW0), ...f32x4Mul, ...f32x4Add, ...set(KACC[2 * k] as number),
      ...get(KACC[2 * k + 1] as number), ...get(KSPLAT), ...get(KW1), ...f32x4Mul, ...f32x4Add, ...set(KACC[2 * k + 1] as number),
    ]),
  ];
  const reluStep = relu ? [...simd(0x0c, ...new Array<number>(16).fill(0)), ...f32x4Pmax] : [];
  // acc + b (then relu) in place, exactly gemmBody's operations.
  const finish = KACC.flatMap((a, i) => [...get(a), ...get(KB), ...get(KJ), add, ...v128LoadAt(16 * (i % 2)), ...f32x4Add, ...reluStep, ...set(a)]);
  const storeRows = [
    ...get(KY), ...get(KR), ...get(KYS), mul, add, ...get(KJ), add, ...set(KQ),
    ...[0, 1, 2, 3].flatMap((k) => [
      ...(k === 0 ? [] : [...get(KQ), ...get(KYS), add, ...set(KQ)]),
      ...get(KQ), ...get(KACC[2 * k] as number), ...v128Store(0),
      ...get(KQ), ...get(KACC[2 * k + 1] as number), ...v128Store(16),
    ]),
  ];
  // Packed: tile R / 4 starts at R · u8 · 4 floats, unit j's four rows at + 4j floats.
  const storePacked = [
    ...get(KY), ...get(KR), ...get(KYS), mul, add, ...get(KJ), ...i32Const(2), shl, add, ...set(KQ),
    ...[0, 1].flatMap((v) => {
      const rows = [0, 1, 2, 3].map((k) => KACC[2 * k + v] as number);
      return [...transpose4(rows, rows, [KT0, KT1, KT2, KT3]), ...rows.flatMap((a, m) => [...get(KQ), ...get(a), ...v128Store(64 * v + 16 * m)])];
    }),
  ];
  const code: number[] = [
    ...get(KN4), ...i32Const(4), shl, ...set(KXT),
    ...get(KU8), ...i32Const(2), shl, ...set(KYS),
    ...get(KW), ...set(KPB),
    ...i32Const(0), ...set(KJ),
    0x03, 0x40, // loop over panels of eight units
    ...i32Const(0), ...set(KR),
    ...get(KX), ...set(KTX),
    0x03, 0x40, // loop over tiles of four rows
    ...KACC.flatMap((a) => [...simd(0x0c, ...new Array<number>(16).fill(0)), ...set(a)]),
    ...get(KTX), ...tee(KPA), ...get(KXT), add, ...set(KEND),
    ...get(KPB), ...set(KPW),
    0x03, 0x40, // loop over the inputs
    ...inputStep(),
    ...get(KPW), ...i32Const(32), add, ...set(KPW),
    ...get(KPA), ...i32Const(16), add, ...tee(KPA), ...get(KEND), ltU, 0x0d, 0, // br_if inputs
    0x0b,
    ...finish,
    ...(rowsOut ? storeRows : storePacked),
    ...get(KTX), ...get(KXT), add, ...set(KTX),
    ...get(KR), ...i32Const(4), add, ...tee(KR), ...get(KROWS), ltU, 0x0d, 0, // br_if row tiles
    0x0b,
    ...get(KPB), ...get(KXT), ...i32Const(1), shl, add, ...set(KPB),
    ...get(KJ), ...i32Const(32), add, ...tee(KJ), ...get(KYS), ltU, 0x0d, 0, // br_if panels
    0x0b,
    0x0b, // end of function
  ];
  const locals = vec([[10, i32], [15, v128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

// packRows(x, d, n4, rows): d = x ([rows][n4] row-major, n4 a multiple of 4,
// rows of 4) packed in tiles of four rows, [rows / 4][n4][4] (gemmPacked's x).
export function packRowsBody(): number[] {
  const [X, D, N, ROWS] = [0, 1, 2, 3];
  const [RS, T, PX, PD, END] = [4, 5, 6, 7, 8];
  const V = [9, 10, 11, 12] as const;
  const TMP = [13, 14, 15, 16] as const;
  const code: number[] = [
    ...get(N), ...i32Const(2), shl, ...set(RS),
    ...get(X), ...set(PX),
    ...get(D), ...set(PD),
    ...i32Const(0), ...set(T),
    0x03, 0x40, // tiles of four rows
    ...get(PX), ...get(RS), add, ...set(END),
    0x03, 0x40, // four inputs of the four rows at a time
    ...V.flatMap((v, k) => [...get(PX), ...(k === 0 ? [] : [...get(RS), ...i32Const(k), mul, add]), ...v128LoadAt(0), ...set(v)]),
    ...transpose4(V, V, TMP),
    ...V.flatMap((v, m) => [...get(PD), ...get(v), ...v128Store(16 * m)]),
    ...get(PD), ...i32Const(64), add, ...set(PD),
    ...get(PX), ...i32Const(16), add, ...tee(PX), ...get(END), ltU, 0x0d, 0,
    0x0b,
    ...get(PX), ...get(RS), ...i32Const(3), mul, add, ...set(PX),
    ...get(T), ...i32Const(4), add, ...tee(T), ...get(ROWS), ltU, 0x0d, 0,
    0x0b,
    0x0b,
  ];
  const locals = vec([[5, i32], [8, v128]]);
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}
