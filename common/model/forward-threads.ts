// The batched forward pass and error pass on one or two threads. The weights
// (packed in panels once, when the pass is made), the normalised input rows,
// per-thread buffers (the block's rows packed in tiles of four, the hidden
// layers' outputs, packed so too) and the residual sums live in one shared
// WebAssembly memory per model; the caller normalises
// the windows straight into it (no intermediate batch), block by block, and
// publishes each block. With two threads a worker takes blocks as they are
// published while the caller goes on normalising, then both take what is left
// (one atomic counter), and the caller waits (Atomics.wait) for the worker's
// last block: the call stays synchronous, the scores are bit-identical to one
// thread's (same kernel, same order per window).
//
// One worker per process, started on the first batch that wants it, unref'd
// (it never keeps a process alive), and gone by itself after `idleExitMs`
// without work; stopForwardThreads() ends it at once. A worker that fails or
// stalls is given up: the caller computes the blocks it left and this process
// scores on one thread from then on (forwardThreadsProblem() says why).
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { sharedKernel, sharedKernelModule, sharedMemory, type WasmMemory } from './dense-simd.ts';
import { activate, blockRows, computeBlock, type BlockKernel, type BlockLayout, type JsActivation } from './forward-block.ts';

/** Control words (Int32Array indices) shared by the caller and the worker. */
const W = { SEQ: 0, STATE: 1, PLAN: 2, BLOCKS: 3, ROWS: 4, STEP: 5, NEXT: 6, READY: 7, DONE: 8, CANCEL: 9, FLAGS: 16 } as const;
/** STATE values. */
const S = { IDLE: 0, POSTED: 1, TAKEN: 2, EXITED: 3, FAILED: 4, QUIT: 5 } as const;

/** Most rows per call of the inner loop (more are done in chunks): 1,024 for the reference model (2 MiB of input). */
const maxRowsCap = 1024;
const inputBytesCap = 4 * 1024 * 1024;
/** A worker with no work for this long exits (a later batch starts another); tests shorten it. */
let idleExitMs = 10_000;

/** For tests: the idle time after which the next worker started exits by itself. */
export function setForwardThreadsIdleExit(ms: number): void {
  idleExitMs = ms;
}
/** A worker that finishes no block for this long is given up. */
const stallMs = 20_000;

export interface JsDenseLayer {
  inputs: number;
  units: number;
  /** Transposed kernel, [units][inputs] row-major. */
  weights: Float32Array;
  bias: Float32Array;
  activation: JsActivation;
}

/** Normalises window `index` into out[offset .. offset + width); may throw (a window the model cannot take). */
export type FillRow = (index: number, out: Float32Array, offset: number) => void;

export interface BatchRequest {
  /** Windows in the batch. */
  n: number;
  /** Normalises each window into the pass's input. */
  fill: FillRow;
  /** The newest samples the per-step error is taken over (S). */
  stepSamples: number;
  /** Out, per window i and channel c at i·C + c: the error share, and the mean squared residual of the newest S samples. */
  perChannel: Float64Array;
  newest: Float64Array;
  /** 2: the worker takes blocks where the process has one; 1: the caller alone. */
  threads: number;
}

export interface BatchedPass {
  /** The residual sums of a batch (BatchRequest). */
  score(request: BatchRequest): void;
  /** Threads the last call ran on (1 or 2). */
  readonly lastThreads: number;
}

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

let threadsChecked: number | undefined;

/** 2 where this process can score on two threads (shared WebAssembly memory, worker threads, two CPUs), else 1. */
export function forwardThreads(): number {
  if (threadsChecked === undefined) {
    threadsChecked = problem === null && sharedKernelModule() !== null && typeof SharedArrayBuffer === 'function' && availableParallelism() >= 2 ? 2 : 1;
  }
  return problem === null ? threadsChecked : 1;
}

/** Why the worker was given up in this process, or null. */
export function forwardThreadsProblem(): string | null {
  return problem;
}

let problem: string | null = null;

/** The batched pass for these layers, or null where the shared-memory kernel is unavailable. */
export function batchedPass(layers: readonly JsDenseLayer[], width: number, windowLength: number, channels: number): BatchedPass | null {
  const module = sharedKernelModule();
  if (module === null || layers.length === 0) return null;
  const stride0 = pad4(width);
  let floats = 0;
  let n4 = stride0;
  const steps = layers.map((l) => {
    const u8 = pad8(l.units);
    const at = { w: floats, b: floats + n4 * u8, n4, u8, activation: l.activation };
    floats += n4 * u8 + u8;
    n4 = u8;
    return at;
  });
  const last = steps.length - 1;
  const widest = Math.max(0, ...steps.slice(0, last).map((s) => s.u8));
  const outU8 = (steps[last] as (typeof steps)[number]).u8;
  const rowsCap = Math.max(blockRows, Math.min(maxRowsCap, Math.floor(inputBytesCap / (stride0 * 4) / blockRows) * blockRows));
  const input = pad4(floats);
  floats = input + rowsCap * stride0;
  const scratch: BlockLayout['scratch'] = [];
  for (let t = 0; t < 2; t++) {
    const packed = floats;
    floats += blockRows * stride0;
    const hidden: [number, number] = [floats, floats + blockRows * widest];
    const out = floats + 2 * blockRows * widest;
    scratch.push({ packed, hidden, out });
    floats = out + blockRows * outU8;
  }
  floats = pad4(floats);
  const perChannel = floats / 2;
  const newest = perChannel + rowsCap * channels;
  floats += 4 * rowsCap * channels;
  const memory = sharedMemory(Math.ceil((floats * 4) / 65536));
  const heap = new Float32Array(memory.buffer);
  const heap64 = new Float64Array(memory.buffer);
  layers.forEach((l, k) => {
    const s = steps[k] as (typeof steps)[number];
    for (let j = 0; j < l.units; j++) {
      const panel = s.w + (j >> 3) * s.n4 * 8 + (j & 7);
      for (let i = 0; i < l.inputs; i++) heap[panel + i * 8] = l.weights[j * l.inputs + i] as number;
    }
    heap.set(l.bias, s.b);
  });
  const layout: BlockLayout = { width, stride0, windowLength, channels, outU8, input, rowsCap, steps, scratch, perChannel, newest };
  const kernel: BlockKernel = sharedKernel(module, memory);
  const plan: PlanHandle = { id: nextPlanId++, module, memory, layout, sentTo: null };
  let lastThreads = 1;
  const C = channels;

  const fillRows = (fill: FillRow, chunk: number, rows: number, onBlock: (b: number) => void): void => {
    for (let b = 0; b * blockRows < rows; b++) {
      const end = Math.min(rows, (b + 1) * blockRows);
      for (let r = b * blockRows; r < end; r++) fill(chunk + r, heap, input + r * stride0);
      onBlock(b);
    }
    // The rows that pad the last block to four: zeros (rows are independent; this keeps them finite).
    heap.fill(0, input + rows * stride0, input + pad4(rows) * stride0);
  };

  const pass: BatchedPass = {
    get lastThreads() {
      return lastThreads;
    },
    score({ n, fill, stepSamples, perChannel: perChannelOut, newest: newestOut, threads }) {
      const step = Math.min(windowLength, Math.max(1, Math.round(stepSamples)));
      lastThreads = 1;
      for (let chunk = 0; chunk < n; chunk += rowsCap) {
        const rows = Math.min(rowsCap, n - chunk);
        const blocks = Math.ceil(rows / blockRows);
        const pool = threads >= 2 && blocks >= 2 && forwardThreads() >= 2 ? workerPool() : null;
        if (pool === null) {
          fillRows(fill, chunk, rows, () => undefined);
          for (let b = 0; b < blocks; b++) computeBlock(kernel, heap, layout, 0, b, rows, step, blockRows);
        } else {
          lastThreads = 2;
          const compute = (b: number): void => computeBlock(kernel, heap, layout, 0, b, rows, step, blockRows);
          pool.run(plan, rows, blocks, step, (onBlock) => fillRows(fill, chunk, rows, onBlock), compute);
        }
        perChannelOut.set(heap64.subarray(perChannel, perChannel + rows * C), chunk * C);
        newestOut.set(heap64.subarray(newest, newest + rows * C), chunk * C);
      }
    },
  };
  planRegistry.register(pass, plan.id);
  return pass;
}

interface PlanHandle {
  id: number;
  module: object;
  memory: WasmMemory;
  layout: BlockLayout;
  /** The worker that has this plan. */
  sentTo: Worker | null;
}

let nextPlanId = 1;
/** A plan no longer referenced: the worker drops its copy of the memory. */
const planRegistry = new FinalizationRegistry<number>((id) => current?.drop(id));

interface Pool {
  run(plan: PlanHandle, rows: number, blocks: number, step: number, fillAll: (onBlock: (b: number) => void) => void, compute: (b: number) => void): void;
  drop(id: number): void;
  stop(): void;
}

let current: Pool | null = null;

function workerPool(): Pool | null {
  if (current === null && problem === null) current = startPool();
  return current;
}

/** Ends the worker (if any) now; a later batch starts another. Bounded: it does not wait for the thread. */
export function stopForwardThreads(): void {
  current?.stop();
  current = null;
}

function startPool(): Pool {
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (W.FLAGS + Math.ceil(maxRowsCap / blockRows))));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerSource(), { eval: true, workerData: { ctrl: ctrl.buffer, port: port2, idleMs: idleExitMs, blockRows, words: W, states: S }, transferList: [port2] });
  worker.unref();
  port1.unref();
  const giveUp = (why: string): void => {
    if (problem === null) problem = why;
    if (current === pool) current = null;
    void worker.terminate();
    port1.close();
  };
  worker.on('error', (error: unknown) => giveUp(`worker failed: ${error instanceof Error ? error.message : String(error)}`));
  worker.on('exit', () => {
    if (current === pool) current = null;
  });
  const pool: Pool = {
    run(plan, rows, blocks, step, fillAll, compute) {
      if (plan.sentTo !== worker) {
        port1.postMessage({ id: plan.id, module: plan.module, memory: plan.memory, layout: plan.layout });
        plan.sentTo = worker;
      }
      Atomics.store(ctrl, W.PLAN, plan.id);
      Atomics.store(ctrl, W.BLOCKS, blocks);
      Atomics.store(ctrl, W.ROWS, rows);
      Atomics.store(ctrl, W.STEP, step);
      Atomics.store(ctrl, W.NEXT, 0);
      Atomics.store(ctrl, W.READY, 0);
      Atomics.store(ctrl, W.DONE, 0);
      Atomics.store(ctrl, W.CANCEL, 0);
      for (let b = 0; b < blocks; b++) Atomics.store(ctrl, W.FLAGS + b, 0);
      const before = Atomics.compareExchange(ctrl, W.STATE, S.IDLE, S.POSTED);
      if (before !== S.IDLE) {
        // The worker exited (idle) or failed: this call runs on one thread; the next starts a new worker.
        if (current === pool) current = null;
        if (before === S.FAILED) giveUp('worker failed');
        fillAll(() => undefined);
        for (let b = 0; b < blocks; b++) compute(b);
        return;
      }
      Atomics.add(ctrl, W.SEQ, 1);
      Atomics.notify(ctrl, W.SEQ);
      try {
        fillAll((b) => {
          Atomics.store(ctrl, W.READY, b + 1);
          Atomics.notify(ctrl, W.READY);
        });
      } catch (error) {
        // A window the model cannot take: the worker leaves the call, then the error goes to the caller.
        Atomics.store(ctrl, W.CANCEL, 1);
        Atomics.store(ctrl, W.READY, blocks);
        Atomics.notify(ctrl, W.READY);
        leave();
        throw error;
      }
      for (let b = Atomics.add(ctrl, W.NEXT, 1); b < blocks; b = Atomics.add(ctrl, W.NEXT, 1)) {
        compute(b);
        Atomics.store(ctrl, W.FLAGS + b, 1);
        Atomics.add(ctrl, W.DONE, 1);
      }
      let done = Atomics.load(ctrl, W.DONE);
      let progress = Date.now();
      while (done < blocks) {
        const state = Atomics.load(ctrl, W.STATE);
        if (state === S.FAILED || Date.now() - progress > stallMs) {
          giveUp(state === S.FAILED ? 'worker failed' : `worker finished no block in ${stallMs} ms`);
          Atomics.store(ctrl, W.CANCEL, 1);
          for (let b = 0; b < blocks; b++) if (Atomics.load(ctrl, W.FLAGS + b) === 0) compute(b);
          return;
        }
        Atomics.wait(ctrl, W.DONE, done, 100);
        const now = Atomics.load(ctrl, W.DONE);
        if (now !== done) progress = Date.now();
        done = now;
      }
      leave();
    },
    drop(id) {
      port1.postMessage({ drop: id });
    },
    stop() {
      Atomics.store(ctrl, W.STATE, S.QUIT);
      Atomics.add(ctrl, W.SEQ, 1);
      Atomics.notify(ctrl, W.SEQ);
      void worker.terminate();
      port1.close();
    },
  };
  /** After a call: the worker never took it, or has left it (it touches nothing of the call once IDLE). */
  function leave(): void {
    if (Atomics.compareExchange(ctrl, W.STATE, S.POSTED, S.IDLE) === S.POSTED) return;
    const since = Date.now();
    while (Atomics.load(ctrl, W.STATE) === S.TAKEN) {
      if (Date.now() - since > stallMs) {
        giveUp(`worker did not leave a call in ${stallMs} ms`);
        return;
      }
      Atomics.wait(ctrl, W.STATE, S.TAKEN, 100);
    }
    if (Atomics.load(ctrl, W.STATE) === S.FAILED) giveUp('worker failed');
  }
  return pool;
}

/**
 * The worker: waits for a call (SEQ), takes it (STATE POSTED → TAKEN), reads
 * any plans posted since, then takes blocks from the shared counter as the
 * caller publishes them (READY) and computes each one. Self-contained: it runs
 * from its source text, with the block functions beside it.
 */
function workerMain(wt: typeof import('node:worker_threads')): void {
  type Words = typeof W;
  type States = typeof S;
  const data = wt.workerData as { ctrl: SharedArrayBuffer; port: MessagePort; idleMs: number; blockRows: number; words: Words; states: States };
  const ctrl = new Int32Array(data.ctrl);
  const w = data.words;
  const st = data.states;
  const plans = new Map<number, { kernel: BlockKernel; heap: Float32Array; layout: BlockLayout }>();
  const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: BlockKernel } } }).WebAssembly;
  const drain = (): void => {
    for (let m = wt.receiveMessageOnPort(data.port); m !== undefined; m = wt.receiveMessageOnPort(data.port)) {
      const msg = m.message as { drop?: number; id: number; module: object; memory: { buffer: SharedArrayBuffer }; layout: BlockLayout };
      if (msg.drop !== undefined) {
        plans.delete(msg.drop);
        continue;
      }
      const kernel = new api.Instance(msg.module, { e: { m: msg.memory } }).exports;
      plans.set(msg.id, { kernel, heap: new Float32Array(msg.memory.buffer), layout: msg.layout });
    }
  };
  const work = (): void => {
    const plan = plans.get(Atomics.load(ctrl, w.PLAN));
    if (plan === undefined) throw new Error(`plan ${Atomics.load(ctrl, w.PLAN)} was not posted`);
    const blocks = Atomics.load(ctrl, w.BLOCKS);
    const rows = Atomics.load(ctrl, w.ROWS);
    const step = Atomics.load(ctrl, w.STEP);
    for (let b = Atomics.add(ctrl, w.NEXT, 1); b < blocks; b = Atomics.add(ctrl, w.NEXT, 1)) {
      for (let ready = Atomics.load(ctrl, w.READY); ready <= b; ready = Atomics.load(ctrl, w.READY)) Atomics.wait(ctrl, w.READY, ready, 100);
      if (Atomics.load(ctrl, w.CANCEL) !== 0) return;
      computeBlock(plan.kernel, plan.heap, plan.layout, 1, b, rows, step, data.blockRows);
      Atomics.store(ctrl, w.FLAGS + b, 1);
      Atomics.add(ctrl, w.DONE, 1);
      Atomics.notify(ctrl, w.DONE);
    }
  };
  let seen = Atomics.load(ctrl, w.SEQ);
  for (;;) {
    if (Atomics.wait(ctrl, w.SEQ, seen, data.idleMs) === 'timed-out') {
      if (Atomics.compareExchange(ctrl, w.STATE, st.IDLE, st.EXITED) === st.IDLE) break;
      continue;
    }
    seen = Atomics.load(ctrl, w.SEQ);
    if (Atomics.load(ctrl, w.STATE) === st.QUIT) break;
    if (Atomics.compareExchange(ctrl, w.STATE, st.POSTED, st.TAKEN) !== st.POSTED) continue;
    try {
      drain();
      work();
      Atomics.store(ctrl, w.STATE, st.IDLE);
    } catch {
      Atomics.store(ctrl, w.STATE, st.FAILED);
    }
    Atomics.notify(ctrl, w.STATE);
    Atomics.notify(ctrl, w.DONE);
  }
  data.port.close();
}

/** The worker's source: the block functions and workerMain, as this process runs them. */
function workerSource(): string {
  return [
    // Some TypeScript loaders wrap named inner functions in __name(fn, "name"); a no-op here.
    'const __name = (fn) => fn;',
    activate.toString(),
    computeBlock.toString(),
    `(${workerMain.toString()})(require('node:worker_threads'));`,
  ].join('\n');
}
