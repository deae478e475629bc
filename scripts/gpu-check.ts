// The training half of scripts/gpu-check.sh (issue 21): the reference dense
// autoencoder trained through the product's trainModel, measured the way
// `npm run bench` measures it (bench/parts/training.ts: windows/s of each epoch
// after the first, median), on the `tensorflow` backend.
//
// usage: npx tsx scripts/gpu-check.ts --device gpu|cpu
//   gpu: the backend must report a GPU device, else exit 1 with the reason.
//   cpu: run with CUDA_VISIBLE_DEVICES=-1 so the same libtensorflow uses the CPU.
// Prints one line per batch size on stdout: `<device> batch <n>: <w> windows/s`.
import { createLogger } from '../common/log.ts';
import { initBackend } from '../common/model/backend.ts';
import { benchTraining } from '../bench/parts/training.ts';

const windows = 8192;
const epochs = 3;
/** 64 is the bench's batch (and Keras's figure); 1024 shows what a GPU does with room. */
const batchSizes = [64, 1024];

const device = process.argv[2] === '--device' ? process.argv[3] : undefined;
if (device !== 'gpu' && device !== 'cpu') {
  process.stderr.write('usage: npx tsx scripts/gpu-check.ts --device gpu|cpu\n');
  process.exit(2);
}
const log = createLogger({ level: 'warn' });
const info = await initBackend('tensorflow', log);
if (device === 'gpu' && !info.gpu) {
  process.stderr.write(`gpu-check: the tensorflow backend (${info.version}) runs on the CPU, not a GPU: see the lines above\n`);
  process.exit(1);
}
if (device === 'cpu' && info.gpu) {
  process.stderr.write('gpu-check: asked for the CPU but the backend reports a GPU (is CUDA_VISIBLE_DEVICES=-1 set?)\n');
  process.exit(1);
}
for (const batchSize of batchSizes) {
  const section = await benchTraining({
    backends: ['tensorflow'],
    models: ['dense'],
    windows,
    batchSize,
    epochs,
    kerasTimeoutMs: 0,
    production: null,
    compareLayersStep: false,
    python: null,
    pythonReason: 'not run by gpu-check',
    log,
  });
  const rate = section.best?.windowsPerSec;
  if (rate === undefined) throw new Error(`no training figure at batch ${batchSize}`);
  process.stdout.write(`${device} batch ${batchSize}: ${Math.round(rate)} windows/s (${info.version})\n`);
}
