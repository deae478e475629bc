#!/usr/bin/env node
// The `sensorwatch` command. TypeScript sources run through tsx, so a checkout
// works without a build step; `npm run build` emits plain JavaScript into dist/.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
