// A scorer in its own process, for the crash test: started with a config file
// and a group id, it prints READY once consuming with a model; SIGTERM stops it
// cleanly, SIGKILL (the test's "crash") does not let it finish anything.
// Usage: node --import tsx scorer-child.ts CONFIG_FILE GROUP_ID
import { Registry } from 'prom-client';
import { loadConfig } from '../../../common/config/load.ts';
import { createLogger } from '../../../common/log.ts';
import { startScorer } from '../../../scorer/service.ts';
import { zeroModel } from '../../unit/scorer/support.ts';
import { fixtureFeed } from './support.ts';

const [file, groupId] = process.argv.slice(2);
if (file === undefined || groupId === undefined) {
  process.stderr.write('usage: scorer-child.ts CONFIG_FILE GROUP_ID\n');
  process.exit(2);
}
const config = loadConfig({ file, env: {} });
const log = createLogger({ level: 'info', fields: { pid: process.pid } });
const scorer = await startScorer({ config, log, registry: new Registry(), models: fixtureFeed([zeroModel()]), groupId, consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }, onFatal: () => process.exit(1) });
const poll = setInterval(() => {
  if (scorer.ready()) {
    process.stdout.write('READY\n');
    clearInterval(poll);
  }
}, 20);
process.on('SIGTERM', () => {
  clearInterval(poll);
  void scorer.stop().then(() => process.exit(0));
});
