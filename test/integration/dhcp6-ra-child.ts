// Runs inside the near namespace (under `ip netns exec`) for dhcp6-*.test.ts and ra-*.test.ts:
// starts the RA watcher, brings the interface up (so the kernel's router solicitation meets a
// listener), runs the DHCPv6 client in the requested mode, and prints one JSON line with every
// event, the `ip -6` view and the watcher's counters. argv[2] is a JSON ChildSpec.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createNativePlatform } from '../../ts/platform/native';
import type { Dhcp6Event, RaEvent } from '../../ts/platform/types';

export interface ChildSpec {
  ifname: string;
  /** 'none' runs only the RA watcher */
  mode: 'stateful' | 'stateless' | 'none';
  requestAddress?: boolean;
  requestPrefix?: boolean;
  rapidCommit?: boolean;
  /** what must have been seen before stopping: event types, 'rdnss', 'dnssl', 'raflags-set' */
  until: string[];
  /** keep running this long after `until` is met (to see a renewal) */
  holdMs?: number;
  /** wait for a 'renewed' event before stopping */
  untilRenewed?: boolean;
  release: boolean;
  timeoutMs: number;
  /** send a forged RTM_NEWNDUSEROPT from a userspace socket to the watcher's port (CVE-2012-2320) */
  spoof?: boolean;
}

interface Output {
  ra: (RaEvent & { atMs: number })[];
  dhcp6: (Dhcp6Event & { atMs: number })[];
  duid?: string;
  state?: string;
  addrs: string;
  diagnostics: { portId: number; spoofedDropped: number; malformedDropped: number };
  met: boolean;
}

// A userspace process forging an ND user option with RDNSS 2001:db8:666::1 to our port id.
const SPOOF_PY = `
import socket, struct, sys
port, ifindex = int(sys.argv[1]), int(sys.argv[2])
opt = bytes([25, 3, 0, 0]) + struct.pack('!I', 3600) + bytes.fromhex('20010db8066600000000000000000001')
body = struct.pack('=BBHiBBHI', 10, 0, len(opt), ifindex, 134, 0, 0, 0) + opt
hdr = struct.pack('=IHHII', 16 + len(body), 68, 0, 1, 0)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, 0))
s.sendto(hdr + body, (port, 0))
`;

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
  const started = Date.now();
  const platform = createNativePlatform();
  const ifindex = Number(readFileSync(`/sys/class/net/${spec.ifname}/ifindex`, 'utf8').trim());
  const mac = readFileSync(`/sys/class/net/${spec.ifname}/address`, 'utf8').trim();
  const out: Output = { ra: [], dhcp6: [], addrs: '', diagnostics: { portId: 0, spoofedDropped: 0, malformedDropped: 0 }, met: false };

  const ra = platform.createRaWatcher();
  ra.onEvent((ev) => {
    if (ev.ifindex === ifindex) out.ra.push({ ...ev, atMs: Date.now() - started });
  });
  ra.start();
  if (spec.spoof) {
    execFileSync('python3', ['-c', SPOOF_PY, String(ra.diagnostics().portId), String(ifindex)]);
  }
  execFileSync('ip', ['link', 'set', spec.ifname, 'up']);

  let client: ReturnType<typeof platform.createDhcp6Client> | undefined;
  const startClient = (): void => {
    if (spec.mode === 'none' || client) return;
    client = platform.createDhcp6Client({
      ifindex,
      ifname: spec.ifname,
      mac,
      mode: spec.mode,
      requestAddress: spec.requestAddress ?? true,
      requestPrefix: spec.requestPrefix ?? false,
      rapidCommit: spec.rapidCommit ?? true,
    });
    client.onEvent((ev) => out.dhcp6.push({ ...ev, atMs: Date.now() - started }));
    client.start();
    out.duid = client.duid;
  };
  // The link-local address must have finished DAD before the client can send from it; the engine
  // would retransmit anyway, but starting after it keeps the log short.
  const linkLocalReady = (): boolean =>
    execFileSync('ip', ['-6', 'addr', 'show', 'dev', spec.ifname, 'scope', 'link']).toString().includes('fe80') &&
    !execFileSync('ip', ['-6', 'addr', 'show', 'dev', spec.ifname, 'scope', 'link']).toString().includes('tentative');

  const seen = (what: string): boolean => {
    if (what === 'rdnss' || what === 'dnssl') return out.ra.some((e) => e.type === what);
    if (what === 'raflags-set') return out.ra.some((e) => e.type === 'raflags' && (e.managed || e.other));
    return out.dhcp6.some((e) => e.type === what);
  };
  let metAt = 0;
  while (Date.now() - started < spec.timeoutMs) {
    await new Promise((r) => setTimeout(r, 100));
    if (!client && spec.mode !== 'none' && linkLocalReady()) startClient();
    // The kernel notifies RA flags only when they change; ask again now and then.
    if ((Date.now() - started) % 1000 < 100) ra.requestFlags();
    if (!metAt && spec.until.every(seen)) metAt = Date.now();
    if (metAt) {
      const renewedOk = !spec.untilRenewed || seen('renewed');
      if (renewedOk && Date.now() - metAt >= (spec.holdMs ?? 0)) {
        out.met = true;
        break;
      }
    }
  }
  out.addrs = execFileSync('ip', ['-6', 'addr', 'show', 'dev', spec.ifname]).toString();
  out.state = client?.state;
  client?.stop(spec.release);
  // Let the RELEASE leave before the process (and its socket) goes.
  await new Promise((r) => setTimeout(r, 300));
  out.diagnostics = ra.diagnostics();
  ra.stop();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
  process.stdout.write(JSON.stringify({ error: (e as Error)?.stack ?? String(e) }) + '\n');
  process.exitCode = 1;
});
