// ConnMan's own python test scripts (test/ in its 1.41 source), run unchanged as a client would run
// them. They are fetched from the Debian archive by fetch-connman-src.sh, never kept in this repo.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './private-bus';
import { Lab } from './network-lab';
import { run } from './proc';

const CACHE = process.env.SY_CONNMAN_SRC_CACHE ?? '/var/cache/switchyard-test';

/** The scripts' directory; fetched on first use (.ci/run fetches it during set-up). */
export async function connmanScriptsDir(): Promise<string> {
  const dir = join(CACHE, 'connman-1.41', 'test');
  if (existsSync(join(dir, 'test-connman'))) return dir;
  const r = await run(['bash', join(REPO_ROOT, 'test', 'harness', 'fetch-connman-src.sh')], { timeoutMs: 120_000 });
  if (r.code !== 0 || !existsSync(join(dir, 'test-connman'))) {
    throw new Error(`ConnMan 1.41's test scripts are not available (test/harness/fetch-connman-src.sh): ${r.stderr.trim()}`);
  }
  return dir;
}

/** Output (stdout, then stderr, then a non-zero exit status) of one script against the lab's daemon. */
export async function runScript(lab: Lab, dir: string, script: string, args: string[], timeoutMs = 20_000): Promise<string> {
  // Debian 12 has no /usr/bin/python (their shebang); the scripts are python 3 code, run by python3.
  const r = await run(['/usr/bin/python3', join(dir, script), ...args], { env: lab.clientEnv(), timeoutMs });
  if (r.timedOut) return `${r.stdout}${r.stderr}[timed out]\n`;
  return `${r.stdout}${r.stderr}${r.code ? `[exit ${r.code}]\n` : ''}`;
}
