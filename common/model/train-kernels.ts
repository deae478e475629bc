// The WebAssembly kernels of the dense training step (wasm-train.ts), assembled
// byte by byte like dense-simd.ts's, from which the assembler helpers and the
// register-blocked product come. float32 throughout.
//
// gemm(a, b, bias, c, k, n, m): C = A · B + bias, A [m][k] and C [m][n]
//   row-major, B packed in panels of eight columns ([n / 8][k][8], see pack),
//   bias n floats (a zero vector for a plain product); n a multiple of 8, m of
//   4, k ≥ 1. dense-simd.ts's batched kernel (a 4 × 8 register tile), so that
//   the forward product (x · W), the input gradient (dZ · Wᵀ) and the weight
//   gradient (Xᵀ · dZ) are the one kernel. Packed, because a column strip of a
//   wide B in its natural layout (rows 512 or 2048 bytes apart) maps to a few
//   cache sets and is evicted between row tiles: the step ran 1.4x slower so.
// gemmRelu: gemm, then relu (y < 0 → 0) as each tile is stored.
// pack(s, d, k, n): d = s [k][n] in panels of eight columns, [n / 8][k][8].
// packT(s, d, rows, cols): d = sᵀ in panels: s [rows][cols] (rows a multiple of 8), d [rows / 8][cols][8].
// adam(p, m, v, g, n, beta1, 1 − beta1, beta2, 1 − beta2, 1 − beta1^t, 1 − beta2^t, epsilon, −lr):
//   one Adam update of n floats (a multiple of 4), FlatAdam's formula and order of operations.
// transpose(s, d, rows, cols): d [cols][rows] = s [rows][cols]ᵀ.
import {
  add,
  f32x4Add,
  f32x4Mul,
  gemmBody,
  get,
  i32,
  i32Const,
  ltU,
  section,
  set,
  shl,
  simd,
  str,
  tee,
  uleb,
  v128,
  v128LoadAt,
  v128Store,
  vec,
  wasmApi,
  type WasmMemory,
} from './dense-simd.ts';

const f32 = 0x7d;
const f32x4Splat = simd(0x13);
const f32x4Sqrt = simd(0xe3);
const f32x4Div = simd(0xe7);
const f32Load = [0x2a, 2, 0];
const f32Store = [0x38, 2, 0];

function fn(locals: number[][], code: number[]): number[] {
  const body = [...vec(locals), ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

function adamBody(): number[] {
  const [P, M, V, G, N] = [0, 1, 2, 3, 4];
  const consts = [5, 6, 7, 8, 9, 10, 11, 12]; // beta1, 1 − beta1, beta2, 1 − beta2, c1, c2, eps, −lr
  const [I, END] = [13, 14];
  const [B1, OB1, B2, OB2, C1, C2, EPS, NLR] = [15, 16, 17, 18, 19, 20, 21, 22];
  const [GV, MV, VV] = [23, 24, 25];
  const at = (ptr: number): number[] => [...get(ptr), ...get(I), add];
  return fn(
    [
      [2, i32],
      [11, v128],
    ],
    [
      ...get(N), ...i32Const(2), shl, ...set(END),
      ...consts.flatMap((c, k) => [...get(c), ...f32x4Splat, ...set(B1 + k)]),
      ...i32Const(0), ...set(I),
      0x03, 0x40,
      ...at(G), ...v128LoadAt(0), ...set(GV),
      // m = m·beta1 + g·(1 − beta1)
      ...at(M), ...at(M), ...v128LoadAt(0), ...get(B1), ...f32x4Mul, ...get(GV), ...get(OB1), ...f32x4Mul, ...f32x4Add, ...tee(MV), ...v128Store(0),
      // v = v·beta2 + g²·(1 − beta2)
      ...at(V), ...at(V), ...v128LoadAt(0), ...get(B2), ...f32x4Mul, ...get(GV), ...get(GV), ...f32x4Mul, ...get(OB2), ...f32x4Mul, ...f32x4Add, ...tee(VV), ...v128Store(0),
      // p = (m / c1) / (sqrt(v / c2) + eps) · (−lr) + p
      ...at(P),
      ...get(MV), ...get(C1), ...f32x4Div, ...get(VV), ...get(C2), ...f32x4Div, ...f32x4Sqrt, ...get(EPS), ...f32x4Add, ...f32x4Div, ...get(NLR), ...f32x4Mul,
      ...at(P), ...v128LoadAt(0), ...f32x4Add, ...v128Store(0),
      ...get(I), ...i32Const(16), add, ...tee(I), ...get(END), ltU, 0x0d, 0,
      0x0b,
    ],
  );
}

function transposeBody(): number[] {
  const [S, D, R, C] = [0, 1, 2, 3];
  const [RI, CI, PS, PD, RS] = [4, 5, 6, 7, 8];
  return fn(
    [[5, i32]],
    [
      ...get(R), ...i32Const(2), shl, ...set(RS),
      ...get(S), ...set(PS),
      ...i32Const(0), ...set(RI),
      0x03, 0x40, // rows of s
      ...get(D), ...get(RI), ...i32Const(2), shl, add, ...set(PD),
      ...i32Const(0), ...set(CI),
      0x03, 0x40, // columns of s: one column of d
      ...get(PD), ...get(PS), ...f32Load, ...f32Store,
      ...get(PS), ...i32Const(4), add, ...set(PS),
      ...get(PD), ...get(RS), add, ...set(PD),
      ...get(CI), ...i32Const(1), add, ...tee(CI), ...get(C), ltU, 0x0d, 0,
      0x0b,
      ...get(RI), ...i32Const(1), add, ...tee(RI), ...get(R), ltU, 0x0d, 0,
      0x0b,
    ],
  );
}

function packBody(): number[] {
  const [S, D, K, N] = [0, 1, 2, 3];
  const [NS, PD, PS, J, KI] = [4, 5, 6, 7, 8];
  return fn(
    [[5, i32]],
    [
      ...get(N), ...i32Const(2), shl, ...set(NS),
      ...get(D), ...set(PD),
      ...i32Const(0), ...set(J),
      0x03, 0x40, // panels of eight columns
      ...get(S), ...get(J), add, ...set(PS),
      ...i32Const(0), ...set(KI),
      0x03, 0x40, // rows: eight floats each
      ...get(PD), ...get(PS), ...v128LoadAt(0), ...v128Store(0),
      ...get(PD), ...get(PS), ...v128LoadAt(16), ...v128Store(16),
      ...get(PD), ...i32Const(32), add, ...set(PD),
      ...get(PS), ...get(NS), add, ...set(PS),
      ...get(KI), ...i32Const(1), add, ...tee(KI), ...get(K), ltU, 0x0d, 0,
      0x0b,
      ...get(J), ...i32Const(32), add, ...tee(J), ...get(NS), ltU, 0x0d, 0,
      0x0b,
    ],
  );
}

function packTBody(): number[] {
  const [S, D, R, C] = [0, 1, 2, 3];
  const [CS, PD, PS, P, KI] = [4, 5, 6, 7, 8];
  const OFF = [9, 10, 11, 12, 13, 14, 15]; // c · CS for c = 1 … 7
  return fn(
    [[12, i32]],
    [
      ...get(C), ...i32Const(2), shl, ...set(CS),
      ...OFF.flatMap((o, c) => [...get(CS), ...i32Const(c + 1), 0x6c, ...set(o)]),
      ...get(D), ...set(PD),
      ...i32Const(0), ...set(P),
      0x03, 0x40, // panels: eight rows of s
      ...get(S), ...get(P), ...get(CS), 0x6c, add, ...set(PS),
      ...i32Const(0), ...set(KI),
      0x03, 0x40, // columns of s: one row of the panel
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((c) => [...get(PD), ...get(PS), ...(c === 0 ? [] : [...get(OFF[c - 1] as number), add]), ...f32Load, 0x38, 2, ...uleb(4 * c)]),
      ...get(PD), ...i32Const(32), add, ...set(PD),
      ...get(PS), ...i32Const(4), add, ...set(PS),
      ...get(KI), ...i32Const(1), add, ...tee(KI), ...get(C), ltU, 0x0d, 0,
      0x0b,
      ...get(P), ...i32Const(8), add, ...tee(P), ...get(R), ltU, 0x0d, 0,
      0x0b,
    ],
  );
}

function moduleBytes(): Uint8Array {
  const params = (types: number[]): number[] => vec(types.map((t) => [t]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(
      1,
      vec([
        [0x60, ...params(new Array<number>(7).fill(i32)), ...vec([])],
        [0x60, ...params([i32, i32, i32, i32, i32, f32, f32, f32, f32, f32, f32, f32, f32]), ...vec([])],
        [0x60, ...params([i32, i32, i32, i32]), ...vec([])],
      ]),
    ),
    ...section(3, vec([[0], [0], [1], [2], [2], [2]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('gemm'), 0x00, 0], [...str('gemmRelu'), 0x00, 1], [...str('adam'), 0x00, 2], [...str('transpose'), 0x00, 3], [...str('pack'), 0x00, 4], [...str('packT'), 0x00, 5], [...str('mem'), 0x02, 0]])),
    ...section(10, vec([gemmBody({ relu: false }), gemmBody({ relu: true }), adamBody(), transposeBody(), packBody(), packTBody()])),
  ]);
}

export interface TrainKernels {
  /** 64 KiB pages; grow it before taking views (growing detaches them). */
  readonly memory: WasmMemory;
  adam(p: number, m: number, v: number, g: number, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, c1: number, c2: number, epsilon: number, negLr: number): void;
  transpose(s: number, d: number, rows: number, cols: number): void;
  /** C = A · B + bias with B packed in panels of eight columns ([n / 8][k][8], see pack). */
  gemm(a: number, b: number, bias: number, c: number, k: number, n: number, m: number): void;
  gemmRelu(a: number, b: number, bias: number, c: number, k: number, n: number, m: number): void;
  /** d = s [k][n] packed in panels of eight columns, [n / 8][k][8] (n a multiple of 8). */
  pack(s: number, d: number, k: number, n: number): void;
  /** d = sᵀ packed: s is [rows][cols] (rows a multiple of 8), d is sᵀ ([cols][rows]) in panels, [rows / 8][cols][8]. */
  packT(s: number, d: number, rows: number, cols: number): void;
}

let compiled: object | null | undefined;

/** A fresh instance with its own memory, or null where WebAssembly SIMD is unavailable. */
export function trainKernels(): TrainKernels | null {
  const wasm = wasmApi();
  if (wasm === undefined) return null;
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  if (compiled === null) return null;
  const exports = new wasm.Instance(compiled, {}).exports as Omit<TrainKernels, 'memory'> & { mem: WasmMemory };
  const { adam, transpose, gemm, gemmRelu, pack, packT } = exports;
  return { memory: exports.mem, adam, transpose, gemm, gemmRelu, pack, packT };
}
