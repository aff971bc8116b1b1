// The test lab: import from here in integration tests.
export { Lab, NEAR_IF, MAIN_CONF, requireRoot } from './network-lab';
export type { Side, LabOptions } from './network-lab';
export { reapStaleLabs, LAB_PREFIX } from './cleanup';
export { DaemonKind, Daemon, CONNMAND, SWITCHYARDD } from './daemon';
export * from './far-side';
export { parseServices, maskRunValues } from './connmanctl';
export type { ServiceLine } from './connmanctl';
export { run, runOk, RunResult } from './proc';
export { waitUntil, sleep, WaitAborted } from './wait';
export { resolveIn } from './resolve';
export { runScenario, fixtureSteps, maskSteps, FIXTURE_DIR } from './connmanctl-scenario';
export type { Step } from './connmanctl-scenario';
export { lineDiff } from './text-diff';
export { LabResolved, resolvedRoot, RESOLVE1_POLICY } from './resolved';
