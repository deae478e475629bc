// The windowing public surface: import from 'common/window/index.ts'.
export { createWindower, windowsFromReadings, type GapReset, type PushOutcome, type Windower, type WindowerStats } from './windower.ts';
export { checkWindowOptions, windowOptions, type WindowOptions } from './options.ts';
