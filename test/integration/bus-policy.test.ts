// The D-Bus policy that packaging/ installs decides who may talk to net.connman. On a bus configured like
// the system bus and including that file, root can call the daemon and an ordinary user cannot: the bus
// refuses the call before the daemon sees it, and nothing changes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { Lab, run } from '../harness';

const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : false;
const NOBODY = 65534;

function dbusSend(lab: Lab, uid: number | undefined, ...args: string[]) {
  const argv = ['dbus-send', `--bus=${lab.busAddress}`, '--print-reply', '--dest=net.connman', ...args];
  // setpriv (util-linux) drops to the user for this one client process.
  const wrapped = uid === undefined ? argv : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...argv];
  return run(wrapped, { timeoutMs: 10_000 });
}

describe('D-Bus policy from packaging/dbus/net.connman.conf', { skip }, () => {
  let lab: Lab;

  before(async () => {
    lab = await Lab.create();
    chmodSync(lab.dir, 0o711); // let the unprivileged client reach the bus socket; the policy is what we test
    await lab.startDaemon('switchyard');
    await lab.waitForWiredReady();
  });

  after(async () => {
    await lab?.teardown();
  });

  it('lets root read the manager properties', async () => {
    const r = await dbusSend(lab, undefined, '/', 'net.connman.Manager.GetProperties');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"State"/);
  });

  it('refuses an ordinary user with AccessDenied, for reading and for changing', async () => {
    const read = await dbusSend(lab, NOBODY, '/', 'net.connman.Manager.GetProperties');
    assert.notEqual(read.code, 0);
    assert.match(read.stderr, /org\.freedesktop\.DBus\.Error\.AccessDenied/);

    const change = await dbusSend(lab, NOBODY, '/net/connman/technology/ethernet',
      'net.connman.Technology.SetProperty', 'string:Powered', 'variant:boolean:false');
    assert.match(change.stderr, /org\.freedesktop\.DBus\.Error\.AccessDenied/);
    // Nothing changed: the wired service is still connected.
    assert.match(await lab.ctl('services'), new RegExp(`^\\*AR Wired\\s+${lab.serviceId}$`, 'm'));
  });

  it('refuses an ordinary user the bus name itself', async () => {
    const r = await run(['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'dbus-send',
      `--bus=${lab.busAddress}`, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
      'org.freedesktop.DBus.RequestName', 'string:net.connman', 'uint32:0'], { timeoutMs: 10_000 });
    assert.match(r.stderr, /AccessDenied/);
  });
});
