#!/usr/bin/env node
// `npm run native:install`: make @tensorflow/tfjs-node work without internet (issue 8).
//
// tfjs-node's own install script downloads libtensorflow from Google's storage,
// which these machines cannot reach. The same library ships in the CPU TensorFlow
// wheel on PyPI (libtensorflow_cc.so.2 + libtensorflow_framework.so.2, with the C
// headers of the same version), so this script:
//   1. fetches that wheel with pip into .cache/native/ (once),
//   2. repacks it into the libtensorflow tarball layout (pack-libtensorflow.py, once),
//   3. serves the tarball on 127.0.0.1 and points tfjs-node's custom-binary.json
//      `tf-lib` at it, then runs tfjs-node's own scripts/install.js, which unpacks
//      it into deps/ and builds the addon from source with node-gyp,
//   4. checks the addon's TF_/TFE_ imports are all exported by the library and that
//      `require('@tensorflow/tfjs-node')` loads and multiplies two matrices.
// Idempotent: when the addon already loads with the wanted TensorFlow version it
// only says so (about a second). A failure never breaks anything else: it prints
// why and exits 0 (the wasm backend is used) unless --strict is given.
//
// --gpu (issue 21) takes the same steps for @tensorflow/tfjs-node-gpu with the CUDA
// build of libtensorflow (the plain `tensorflow` wheel), and on a GPU host adds the
// CUDA runtime wheels that wheel names under its `and-cuda` extra (nvidia-*-cu12,
// exact versions from its METADATA) into the same tarball. Without a GPU those
// wheels (several GB) are not fetched: the CUDA build runs on the CPU without them.
// --cuda-libs / --no-cuda-libs overrides that choice. variant.mjs holds what differs.
//
// usage: node deploy/native/install.mjs [--gpu [--cuda-libs|--no-cuda-libs]] [--strict] [--force] [--tf-version X.Y.Z]
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cudaRequirements, gpuPresent, tarballName, variants, wantCudaLibs, wheelFilePrefix } from './variant.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const cacheDir = join(root, '.cache', 'native');
/** Both packages are released together; package.json pins the CPU one. */
const versionPinnedBy = variants.cpu.pkgName;
/** TensorFlow 2.18.0: the version TensorFlow Java 1.1.0 on Maven Central ships (same bytes). */
const defaultTfVersion = '2.18.0';
/** Any CPython the wheel is built for; the native libraries inside are the same. */
const wheelPython = '3.11';

const started = Date.now();
const args = parseArgs(process.argv.slice(2));
const variant = variants[args.gpu ? 'gpu' : 'cpu'];
const pkgName = variant.pkgName;
const pkgDir = join(root, 'node_modules', ...pkgName.split('/'));
const gpuHere = gpuPresent(existsSync);
const withCuda = wantCudaLibs({ variant: variant.kind, gpu: gpuHere, cudaLibs: args.cudaLibs });

class StepError extends Error {}

try {
  const outcome = await install(args);
  say(`${outcome} (${seconds()} s)`);
  process.exit(0);
} catch (error) {
  const why = error instanceof StepError ? error.message : (error?.stack ?? String(error));
  say(`FAILED after ${seconds()} s: ${why}`);
  const still = existsSync(join(pkgDir, 'package.json')) ? probeAddon() : { ok: false };
  say(still.ok
    ? `the native backend already there (libtensorflow ${still.tf}) is unchanged.`
    : `the native backend (${pkgName}) is not installed; sensorwatch falls back to ${variant.kind === 'gpu' ? `${variants.cpu.pkgName} if that is installed, else ` : ''}wasm.${args.strict ? '' : ' (exit 0: pass --strict to fail)'}`);
  process.exit(args.strict ? 1 : 0);
}

async function install({ tfVersion, explicitVersion, force }) {
  if (!existsSync(join(pkgDir, 'package.json'))) ensurePackage();
  const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;

  if (!force) {
    const probe = probeAddon();
    // A working addon is kept whatever its version (e.g. tfjs-node's own 2.9.1 on a
    // machine with internet) unless a version was asked for explicitly.
    const cudaThere = !withCuda || existsSync(join(pkgDir, 'deps', 'nvidia'));
    if (probe.ok && (probe.tf === tfVersion || !explicitVersion) && cudaThere) {
      return `already installed: ${pkgName} ${pkgVersion} with libtensorflow ${probe.tf}${gpuNote(probe)}`;
    }
    say(!probe.ok ? 'addon not built yet: building'
      : !cudaThere ? 'the CUDA libraries are wanted but not installed: rebuilding with them'
        : `installed libtensorflow is ${probe.tf}, wanted ${tfVersion}: rebuilding`);
  }
  if (variant.kind === 'gpu') {
    say(gpuHere
      ? (withCuda ? 'NVIDIA driver found: the CUDA runtime wheels are fetched too' : 'NVIDIA driver found, but --no-cuda-libs: CUDA libraries not fetched')
      : (withCuda ? 'no NVIDIA driver here, but --cuda-libs: the CUDA runtime wheels are fetched anyway'
        : 'no NVIDIA driver here: the CUDA runtime wheels (several GB) are not fetched; the CUDA build will run on the CPU'));
  }

  const wheel = fetchWheel(tfVersion);
  const cudaWheels = withCuda ? fetchCudaWheels(wheel) : [];
  const tarball = packTarball(wheel, tfVersion, cudaWheels);
  await buildAddon(tarball);
  checkSymbols();
  const probe = probeAddon();
  if (!probe.ok) throw new StepError(`the addon was built but does not load: ${probe.error}`);
  if (probe.tf !== tfVersion) throw new StepError(`the addon loads libtensorflow ${probe.tf}, expected ${tfVersion}`);
  return `installed: ${pkgName} ${pkgVersion} with libtensorflow ${probe.tf} (matMul check ok)${gpuNote(probe)}`;
}

function gpuNote(probe) {
  if (variant.kind !== 'gpu') return '';
  return probe.gpu ? '; running on the GPU' : '; no CUDA device found: it runs on the CPU';
}

/** `npm ci` drops tfjs-node when its own (internet) install script fails; put it back without scripts. */
function ensurePackage() {
  const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).optionalDependencies?.[versionPinnedBy];
  if (wanted === undefined) throw new StepError(`${versionPinnedBy} is not in package.json optionalDependencies`);
  say(`${pkgName} is not in node_modules (its own install script needs internet): installing ${wanted} without scripts`);
  run('npm', ['install', '--no-save', '--no-fund', '--no-audit', '--ignore-scripts', `${pkgName}@${wanted}`], { cwd: root }, 'npm install');
  if (!existsSync(join(pkgDir, 'package.json'))) throw new StepError(`npm install did not create ${pkgDir}`);
}

function fetchWheel(tfVersion) {
  return pipDownload(join(cacheDir, 'wheels'), { project: variant.wheelProject, version: tfVersion }, `about ${variant.wheelSizeMb} MB`);
}

/** One wheel by exact version into dir, unless a file of that name and version is already there. */
function pipDownload(dir, { project, version }, size) {
  const prefix = wheelFilePrefix({ wheelProject: project }, version);
  const cached = findWheel(dir, prefix);
  if (cached) {
    say(`wheel cached: ${cached}`);
    return cached;
  }
  mkdirSync(dir, { recursive: true });
  say(`downloading ${project}==${version}${size ? ` (${size})` : ''} with pip`);
  run(findPython(), ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--python-version', wheelPython,
    '--platform', 'manylinux2014_x86_64', '--dest', dir, `${project}==${version}`], {}, 'pip download');
  const wheel = findWheel(dir, prefix);
  if (!wheel) throw new StepError(`pip reported success but no ${prefix}*.whl is in ${dir}`);
  return wheel;
}

function findWheel(dir, prefix) {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((f) => f.toLowerCase().startsWith(prefix.toLowerCase()) && f.endsWith('.whl'));
  return name === undefined ? undefined : join(dir, name);
}

/** The nvidia-*-cu12 wheels the TensorFlow wheel pins under `and-cuda`, fetched one by one. */
function fetchCudaWheels(wheel) {
  const read = spawnSync(findPython(), ['-c', [
    'import sys, zipfile',
    'w = zipfile.ZipFile(sys.argv[1])',
    "sys.stdout.write(w.read(next(n for n in w.namelist() if n.endswith('.dist-info/METADATA'))).decode())",
  ].join('\n'), wheel], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (read.status !== 0) throw new StepError(`could not read METADATA from ${wheel}: ${lastLines(read.stderr ?? '')}`);
  const wanted = cudaRequirements(read.stdout);
  if (wanted.length === 0) throw new StepError(`${wheel} names no nvidia-* wheels under its and-cuda extra: is it the CUDA build?`);
  say(`CUDA runtime wheels named by the wheel: ${wanted.map((w) => `${w.project}==${w.version}`).join(', ')}`);
  return wanted.map((w) => pipDownload(join(cacheDir, 'wheels', 'cuda'), w));
}

function packTarball(wheel, tfVersion, cudaWheels) {
  const out = join(cacheDir, tarballName(variant, tfVersion, cudaWheels.length > 0));
  const newest = Math.max(...[wheel, ...cudaWheels].map((w) => statSync(w).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) {
    say(`tarball cached: ${out}`);
    return out;
  }
  say(`repacking the wheel${cudaWheels.length > 0 ? ` and ${cudaWheels.length} CUDA wheels` : ''} into a libtensorflow tarball`);
  const part = `${out}.part`;
  run(findPython(), [join(here, 'pack-libtensorflow.py'), wheel, part, ...cudaWheels], {}, 'repack');
  renameSync(part, out);
  return out;
}

async function buildAddon(tarball) {
  const server = createServer((req, res) => {
    // Serves exactly one file; anything else is a mistake worth seeing.
    if (req.url !== '/libtensorflow.tar.gz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': statSync(tarball).size });
    createReadStream(tarball).pipe(res);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const customBinary = join(pkgDir, 'scripts', 'custom-binary.json');
  try {
    const { port } = server.address();
    // tf-lib alone (no "addon" entry) makes install.js build the addon from source.
    writeFileSync(customBinary, `${JSON.stringify({ 'tf-lib': `http://127.0.0.1:${port}/libtensorflow.tar.gz` })}\n`);
    say(`building the addon with node-gyp (libtensorflow served on 127.0.0.1:${port})`);
    // install.js skips the download when deps/lib/libtensorflow.so.2.9.1 exists; we never
    // create that name, so it always unpacks our tarball over a clean deps/.
    // Its first argument names the build (cpu/gpu), as its own `install` script passes.
    await runAsync(process.execPath, [join('scripts', 'install.js'), variant.kind], { cwd: pkgDir, env: gypEnv() }, `${pkgName}'s install.js`);
  } finally {
    // A stale loopback URL would break a later `npm rebuild`; our tarball stays in the cache.
    rmSync(customBinary, { force: true });
    server.close();
  }
}

/**
 * The environment `npm rebuild` would give install.js: node_modules/.bin on PATH
 * (it runs `node-pre-gyp`), and Node's installed headers, because node-gyp cannot
 * download them offline.
 */
function gypEnv() {
  const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env.PATH].filter(Boolean).join(':') };
  if (!env.npm_config_nodedir) {
    const prefix = dirname(dirname(process.execPath));
    if (existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  }
  return env;
}

/** Every TF_/TFE_ symbol the addon imports must be exported by the two libraries. */
function checkSymbols() {
  const addon = findAddon();
  const libDir = join(pkgDir, 'deps', 'lib');
  const nm = (file, flag) => {
    const r = spawnSync('nm', ['-D', flag, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.error || r.status !== 0) return undefined;
    return new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()?.split('@')[0] ?? '').filter((s) => /^TFE?_/.test(s)));
  };
  const needed = nm(addon, '--undefined-only');
  if (needed === undefined) {
    say('nm not available: skipping the exported-symbol check (the load check below still runs)');
    return;
  }
  const exported = new Set();
  for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    for (const s of nm(join(libDir, lib), '--defined-only') ?? []) exported.add(s);
  }
  const missing = [...needed].filter((s) => !exported.has(s));
  if (missing.length > 0) throw new StepError(`libtensorflow does not export ${missing.length} symbols the addon needs: ${missing.join(', ')}`);
  say(`symbols ok: all ${needed.size} TF_/TFE_ symbols the addon imports are exported by deps/lib`);
}

function findAddon() {
  const libRoot = join(pkgDir, 'lib');
  const dir = existsSync(libRoot) ? readdirSync(libRoot).find((d) => existsSync(join(libRoot, d, 'tfjs_binding.node'))) : undefined;
  if (dir === undefined) throw new StepError(`install.js finished but no tfjs_binding.node is under ${libRoot}`);
  return join(libRoot, dir, 'tfjs_binding.node');
}

/** Load tfjs-node in a fresh process (a failed native load can abort the process). */
function probeAddon() {
  const code = `
    const tf = require(${JSON.stringify(pkgName)});
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
    if (Array.from(y).join() !== '3,3,3,3') throw new Error('matMul gave ' + Array.from(y));
    process.stdout.write(JSON.stringify({ tf: tf.backend().binding.TF_Version, backend: tf.getBackend(), gpu: tf.backend().isUsingGpuDevice === true }));`;
  // The CUDA build prints its device search to stderr; TF_CPP_MIN_LOG_LEVEL=1 keeps warnings only.
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { TF_CPP_MIN_LOG_LEVEL: '1', ...process.env } });
  if (r.status !== 0) return { ok: false, error: lastLines(r.stderr || r.error?.message || `exit ${r.status}`) };
  try {
    const out = JSON.parse(r.stdout);
    return out.backend === 'tensorflow' ? { ok: true, tf: out.tf, gpu: out.gpu } : { ok: false, error: `backend is ${out.backend}` };
  } catch {
    return { ok: false, error: `unexpected output: ${r.stdout}` };
  }
}

function findPython() {
  for (const python of ['python3', 'python']) {
    const r = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return python;
  }
  throw new StepError('no python3 with pip found: pip fetches the TensorFlow wheel from PyPI (apt-get install python3-pip)');
}

function run(cmd, argv, options, what) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.error) throw new StepError(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new StepError(`${what} exited with ${r.status ?? r.signal}`);
}

// The build takes a minute or more; async so the loopback server keeps serving.
async function runAsync(cmd, argv, options, what) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  const [code, signal] = await new Promise((resolve, reject) => child.once('error', reject).once('exit', (c, s) => resolve([c, s])));
  if (code !== 0) throw new StepError(`${what} exited with ${code ?? signal} (see its output above)`);
}

function parseArgs(argv) {
  const out = { strict: false, force: false, gpu: false, cudaLibs: undefined, tfVersion: defaultTfVersion, explicitVersion: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--strict') out.strict = true;
    else if (a === '--gpu') out.gpu = true;
    else if (a === '--cuda-libs') out.cudaLibs = true;
    else if (a === '--no-cuda-libs') out.cudaLibs = false;
    else if (a === '--force') out.force = true;
    else if (a === '--tf-version' && argv[i + 1]) (out.tfVersion = argv[++i]), (out.explicitVersion = true);
    else {
      usage(`unknown argument '${a}'`);
    }
  }
  if (out.cudaLibs !== undefined && !out.gpu) usage('--cuda-libs and --no-cuda-libs go with --gpu');
  return out;
}

function usage(why) {
  say(`${why}\nusage: node deploy/native/install.mjs [--gpu [--cuda-libs|--no-cuda-libs]] [--strict] [--force] [--tf-version X.Y.Z]`);
  process.exit(2);
}

function lastLines(text, n = 6) {
  return text.trim().split('\n').slice(-n).join('\n');
}

function seconds() {
  return ((Date.now() - started) / 1000).toFixed(1);
}

function say(msg) {
  process.stderr.write(`native:install: ${msg}\n`);
}
