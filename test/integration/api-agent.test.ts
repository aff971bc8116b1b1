// The real connmanctl registers its agent against the daemon: interactive `agent on` with stdin piped,
// checked against connmand 1.41 and Switchyard in identical labs (same words printed by connmanctl).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DaemonKind, Lab } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;

/** Starts interactive connmanctl, types `agent on`, collects what it prints for 3 s, then quits. */
function agentOn(lab: Lab): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('connmanctl', [], { env: lab.clientEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin.write('agent on\n');
    setTimeout(() => { child.stdin.write('agent off\nquit\n'); }, 3000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.on('close', () => { clearTimeout(kill); resolve(out); });
  });
}

async function run(kind: DaemonKind): Promise<string> {
  const lab = await Lab.create();
  try {
    await lab.startDaemon(kind);
    return await agentOn(lab);
  } finally {
    await lab.teardown();
  }
}

describe('connmanctl agent on', { skip }, () => {
  it('registers against Switchyard as against connmand 1.41', async () => {
    const ref = await run('connmand');
    assert.match(ref, /Agent registered/, `connmand: ${ref}`);
    const ours = await run('switchyard');
    assert.match(ours, /Agent registered/, `switchyard: ${ours}`);
    // connmanctl also reports that net.connman.vpn is absent (no VPN daemon in the lab), for both daemons.
    assert.doesNotMatch(ours, /net\.connman\.Error|Failed to register/, `switchyard: ${ours}`);
  });
});
