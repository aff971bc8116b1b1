// Runs test/harness/api-probe.py against a daemon in a lab and masks what differs per run, so the rows
// of connmand 1.41 and of Switchyard can be compared one by one.
import { join } from 'node:path';
import { Lab } from './network-lab';
import { DaemonKind } from './daemon';
import { run } from './proc';

export const API_FIXTURE_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'connmand-1.41-api');
const PROBE = join(__dirname, '..', '..', '..', 'test', 'harness', 'api-probe.py');

export interface ProbeRow { label: string; call: string; reply?: unknown; error?: string }

export function maskProbe(text: string, lab: Lab): string {
  const hex = lab.mac.replace(/:/g, '');
  return text.replaceAll(lab.tag, '<lab>')
    .replace(new RegExp(hex, 'gi'), '<mac>')
    .replace(new RegExp(lab.mac.replace(/:/g, ':?'), 'gi'), '<MAC>')
    .replace(/10\.233\.83\.(5\d|[6-9]\d|1[0-4]\d|150)\b/g, '<lease>')
    .replace(/("Time": \{\s*"UInt64": )\d+/g, '$1"<time>"')
    .replace(/("Timezone": \{\s*"String": )"[^"]*"/g, '$1"<tz>"');
}

export async function probeDaemon(kind: DaemonKind): Promise<ProbeRow[]> {
  const lab = await Lab.create();
  try {
    await lab.startDaemon(kind);
    await lab.waitForWiredReady();
    const r = await run(['/usr/bin/python3', PROBE, lab.serviceId], { env: lab.clientEnv(), timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`api-probe.py failed (${r.code}): ${r.stderr}`);
    return JSON.parse(maskProbe(r.stdout, lab)) as ProbeRow[];
  } catch (e) {
    throw new Error(`${kind}: ${(e as Error).message}\n--- log tail\n${lab.daemonLog().split('\n').slice(-30).join('\n')}`);
  } finally {
    await lab.teardown();
  }
}
