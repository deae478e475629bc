// Ingest in its own process, for the fault suite: started with a config file
// and a group id, it prints READY once it has joined its group; SIGKILL (the
// test's crash) lets it finish nothing, SIGTERM stops it cleanly. It exits 1
// if ingest reports it cannot go on (the suite asserts that never happens).
// Usage: node --import tsx ingest-child.ts CONFIG_FILE GROUP_ID
import { Registry } from 'prom-client';
import { loadConfig } from '../../../common/config/load.ts';
import { createLogger } from '../../../common/log.ts';
import { startIngest } from '../../../ingest/service.ts';

const [file, groupId] = process.argv.slice(2);
if (file === undefined || groupId === undefined) {
  process.stderr.write('usage: ingest-child.ts CONFIG_FILE GROUP_ID\n');
  process.exit(2);
}
const config = loadConfig({ file, env: {} });
const log = createLogger({ level: 'warn', fields: { pid: process.pid } });
const ingest = await startIngest({
  config,
  log,
  registry: new Registry(),
  groupId,
  consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
  onFatal: () => process.exit(1),
});
const poll = setInterval(() => {
  if (ingest.ready()) {
    process.stdout.write('READY\n');
    clearInterval(poll);
  }
}, 20);
process.on('SIGTERM', () => {
  clearInterval(poll);
  void ingest.stop().then(() => process.exit(0));
});
