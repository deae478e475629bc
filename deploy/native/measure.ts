// Backend speed probe behind the figures in docs/native.md (issue 8).
// Reference dense autoencoder 512→128→32→128→512 (relu, linear output, Adam, MSE):
//   training  windows/s through model.fit at batch 64 and 256
//   scoring   windows/s through model.predict at batch 1024
// Each figure is the best of `--repeats` timed runs of at least `--seconds`
// after one warm-up run, so a busy shared machine shows up as a range, not noise.
//
// usage: node --import tsx deploy/native/measure.ts [--backends tensorflow,wasm,cpu] [--seconds 2] [--repeats 3] [--json]
import * as tf from '@tensorflow/tfjs';
import { availableBackends, initBackend, type BackendName } from '../../common/model/backend.ts';
import { createRng } from '../../common/rng.ts';

const width = 512;

interface Options {
  backends: BackendName[] | undefined;
  seconds: number;
  repeats: number;
  json: boolean;
}

interface Row {
  backend: BackendName;
  version: string;
  /** windows/s, one entry per timed run */
  train64: number[];
  train256: number[];
  score1024: number[];
}

function parse(argv: string[]): Options {
  const opts: Options = { backends: undefined, seconds: 2, repeats: 3, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--json') opts.json = true;
    else if (a === '--backends' && v !== undefined) (opts.backends = v.split(',') as BackendName[]), i++;
    else if (a === '--seconds' && v !== undefined) (opts.seconds = Number(v)), i++;
    else if (a === '--repeats' && v !== undefined) (opts.repeats = Number(v)), i++;
    else throw new Error(`unknown argument ${a}; usage: measure.ts [--backends a,b] [--seconds S] [--repeats N] [--json]`);
  }
  return opts;
}

function referenceModel(): tf.LayersModel {
  const sizes = [128, 32, 128];
  const model = tf.sequential();
  sizes.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [width] } : {}) })),
  );
  model.add(tf.layers.dense({ units: width, activation: 'linear' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

function data(n: number): tf.Tensor2D {
  const rng = createRng(3);
  const values = new Float32Array(n * width);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return tf.tensor2d(values, [n, width]);
}

/** Runs `step` (which processes `perStep` windows) for at least `seconds`; returns windows/s. */
async function rate(step: () => Promise<void>, perStep: number, seconds: number): Promise<number> {
  const start = performance.now();
  let windows = 0;
  do {
    await step();
    windows += perStep;
  } while (performance.now() - start < seconds * 1000);
  return windows / ((performance.now() - start) / 1000);
}

async function timed(step: () => Promise<void>, perStep: number, opts: Options): Promise<number[]> {
  await step(); // warm-up: kernel compilation, allocations
  const out: number[] = [];
  for (let r = 0; r < opts.repeats; r++) out.push(await rate(step, perStep, opts.seconds));
  return out;
}

async function measure(backend: BackendName, opts: Options): Promise<Row> {
  const info = await initBackend(backend);
  const model = referenceModel();
  const trainSet = data(2048);
  const scoreSet = data(1024);
  try {
    const fitStep = (batchSize: number) => async (): Promise<void> => {
      // One epoch over 2048 windows: 32 or 8 optimizer steps.
      await model.fit(trainSet, trainSet, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
    };
    const scoreStep = async (): Promise<void> => {
      const y = model.predict(scoreSet, { batchSize: 1024 }) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    return {
      backend,
      version: info.version,
      train64: await timed(fitStep(64), 2048, opts),
      train256: await timed(fitStep(256), 2048, opts),
      score1024: await timed(scoreStep, 1024, opts),
    };
  } finally {
    model.dispose();
    trainSet.dispose();
    scoreSet.dispose();
  }
}

function range(xs: number[]): string {
  const f = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
  return `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const backends = opts.backends ?? (await availableBackends());
  const rows: Row[] = [];
  for (const b of backends) rows.push(await measure(b, opts));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const wasm = rows.find((r) => r.backend === 'wasm');
  const best = (xs: number[]): number => Math.max(...xs);
  const speedup = (r: Row, k: 'train64' | 'train256' | 'score1024'): string =>
    wasm === undefined ? '' : ` (${(best(r[k]) / best(wasm[k])).toFixed(1)}×)`;
  process.stdout.write('| backend | train b64 windows/s | train b256 windows/s | score b1024 windows/s | version |\n');
  process.stdout.write('| --- | --- | --- | --- | --- |\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.backend} | ${range(r.train64)}${speedup(r, 'train64')} | ${range(r.train256)}${speedup(r, 'train256')} | ${range(r.score1024)}${speedup(r, 'score1024')} | ${r.version} |\n`,
    );
  }
}

await main();
