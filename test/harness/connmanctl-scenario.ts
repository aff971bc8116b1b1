// The connmanctl session both daemons go through in the differential test. Step names match the
// fixture files in test/fixtures/connmand-1.41/ (written by capture-reference.sh), so a run can be
// compared with the committed reference as well as with the other daemon.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from './network-lab';
import { REPO_ROOT } from './private-bus';
import { maskRunValues } from './connmanctl';
import { WaitAborted } from './wait';

export interface Step {
  name: string;
  output: string;
}

export const FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'connmand-1.41');

async function capture(lab: Lab, args: string[]): Promise<string> {
  const r = await lab.connmanctl(args);
  if (r.timedOut) throw new Error(`connmanctl ${args.join(' ')} timed out`);
  return r.stdout + r.stderr;
}

/** Waits for a condition but records the outputs anyway if it never holds: the diff then shows why. */
async function settle(lab: Lab, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  try {
    await lab.waitUntil(async () => (await probe()) || undefined, { timeoutMs });
  } catch (err) {
    if (err instanceof WaitAborted) throw err;
  }
}

/** Runs the scenario against the daemon already started in lab; outputs are raw, unmasked. */
export async function runScenario(lab: Lab): Promise<Step[]> {
  const steps: Step[] = [];
  const step = async (name: string, args: string[]) => steps.push({ name, output: await capture(lab, args) });
  const idle = async () => /State = idle/.test(await capture(lab, ['state']));
  // A daemon that never gets ready still goes through every step, so the diff shows where it stands.
  const ready = async (name: string) => {
    let output = 'ready\n';
    try {
      await lab.waitForWiredReady();
    } catch (err) {
      if (err instanceof WaitAborted) throw err;
      output = `not ready: ${(err as Error).message}\n`;
    }
    steps.push({ name, output });
  };

  await ready('wait-ready-after-start');
  await step('connmanctl-1-technologies', ['technologies']);
  await step('connmanctl-2-services', ['services']);
  await step('connmanctl-3-services-id', ['services', lab.serviceId]);
  await step('connmanctl-4-state', ['state']);
  await step('connmanctl-5-disable-ethernet', ['disable', 'ethernet']);
  await settle(lab, idle, 10_000);
  await step('connmanctl-6-technologies-after-disable', ['technologies']);
  await step('connmanctl-7-services-after-disable', ['services']);
  await step('connmanctl-8-state-after-disable', ['state']);
  await step('connmanctl-9-enable-ethernet', ['enable', 'ethernet']);
  await ready('wait-ready-after-enable');
  await step('connmanctl-10-services-after-enable', ['services']);
  await step('connmanctl-11-state-after-enable', ['state']);
  return steps;
}

/** The committed reference, masked the same way as a live run. */
export function fixtureSteps(): Step[] {
  const labState = readFileSync(join(FIXTURE_DIR, 'lab-state.txt'), 'utf8');
  const mac = /lab MAC ([0-9a-f:]{17})/.exec(labState)?.[1];
  if (!mac) throw new Error(`no "lab MAC" line in ${FIXTURE_DIR}/lab-state.txt`);
  return readdirSync(FIXTURE_DIR)
    .filter((f) => /^connmanctl-\d+-.*\.txt$/.test(f))
    .sort((x, y) => parseInt(x.split('-')[1]) - parseInt(y.split('-')[1]))
    .map((f) => ({ name: f.replace(/\.txt$/, ''), output: maskRunValues(readFileSync(join(FIXTURE_DIR, f), 'utf8'), { mac, tag: '' }) }));
}

export function maskSteps(steps: Step[], lab: Lab): Step[] {
  return steps.map((s) => ({ name: s.name, output: maskRunValues(s.output, lab) }));
}
