// For help.test.ts: `sensorwatch <verb> --help` for every verb given, in this one
// process (one start-up instead of one per verb): what `main` returns (the exit
// code bin/sensorwatch.mjs sets) and what it wrote, as one JSON line on stdout.
import { main } from '../../../cli/main.ts';

interface HelpRun {
  verb: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const runs: HelpRun[] = [];
for (const verb of process.argv.slice(2)) {
  const run: HelpRun = { verb, status: null, stdout: '', stderr: '' };
  process.stdout.write = ((chunk: string | Uint8Array) => ((run.stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((run.stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    run.status = await main([verb, '--help']);
  } catch (error) {
    run.stderr += `threw: ${(error as Error).stack ?? String(error)}`;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  runs.push(run);
}
write.out(`${JSON.stringify(runs)}\n`);
process.exit(0);
