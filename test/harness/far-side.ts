// The "network" the daemon under test connects to: dnsmasq in the far namespace, serving DHCP and a
// few DNS names and nothing else (no upstream servers, no /etc/hosts), so every answer is predictable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Background } from './proc';
import { waitUntil, WaitAborted } from './wait';

export const SUBNET = '10.233.83';
export const FAR_IF = 'far0';
export const FAR_ADDR = `${SUBNET}.1`;
export const PREFIX_LEN = 24;
export const DHCP_FIRST = `${SUBNET}.50`;
export const DHCP_LAST = `${SUBNET}.150`;
export const LEASE_TIME = '1h';
export const DOMAIN = 'lab.test';
/** Names dnsmasq answers authoritatively, for checking the daemon's DNS path end to end. */
export const DNS_RECORDS: Record<string, string> = {
  'alpha.lab.test': `${SUBNET}.10`,
  'beta.lab.test': `${SUBNET}.11`,
};

export function isLeaseAddress(ip: string): boolean {
  if (!ip.startsWith(`${SUBNET}.`)) return false;
  const last = Number(ip.slice(SUBNET.length + 1));
  return last >= 50 && last <= 150;
}

export interface Dnsmasq {
  proc: Background;
  logPath: string;
  leasePath: string;
}

/**
 * One uplink of the lab: a far interface, its /24 and the dnsmasq serving it. The first uplink is the
 * lab's classic network; the second (Lab.create({ uplinks: 2 })) sits on another subnet with its own
 * dnsmasq, so a daemon can hold two connected services at once.
 */
export interface Uplink {
  /** near side interface name */
  nearIf: string;
  farIf: string;
  subnet: string;
  domain: string;
  /** file name stem in the lab dir: <stem>.log, <stem>.leases */
  stem: string;
}

export const UPLINK1: Uplink = { nearIf: 'eth0', farIf: FAR_IF, subnet: SUBNET, domain: DOMAIN, stem: 'dnsmasq' };
export const UPLINK2: Uplink = { nearIf: 'eth1', farIf: 'far1', subnet: '10.233.84', domain: 'lab2.test', stem: 'dnsmasq2' };

/** Starts dnsmasq for an uplink; `extra` adds options (say --dhcp-option=26,1400) for one test. */
export async function startDnsmasq(farNs: string, dir: string, uplink: Uplink = UPLINK1, extra: string[] = []): Promise<Dnsmasq> {
  const logPath = join(dir, `${uplink.stem}.log`);
  const leasePath = join(dir, `${uplink.stem}.leases`);
  const [alpha, beta] = Object.entries(DNS_RECORDS);
  const argv = [
    'ip', 'netns', 'exec', farNs,
    '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file', '--user=root',
    '--no-resolv', '--no-hosts', '--bind-interfaces', `--interface=${uplink.farIf}`,
    `--dhcp-range=${uplink.subnet}.50,${uplink.subnet}.150,255.255.255.0,${LEASE_TIME}`,
    `--dhcp-leasefile=${leasePath}`, `--domain=${uplink.domain}`,
    `--address=/${alpha[0]}/${alpha[1]}`, `--host-record=${beta[0]},${beta[1]}`,
    '--log-dhcp', '--log-queries', `--log-facility=${logPath}`,
    // dnsmasq also binds lo unless told otherwise; the first instance already holds 127.0.0.1:53.
    ...(uplink === UPLINK1 ? [] : ['--except-interface=lo']), ...extra,
  ];
  const errPath = join(dir, `${uplink.stem}.err`);
  // A restarted dnsmasq appends to the same log: wait for this instance's own start-up lines.
  const ready = () => readOr(logPath).split('DHCP, sockets bound').length - 1;
  const before = ready();
  const proc = new Background(uplink.stem, argv, join(dir, `${uplink.stem}.out`), errPath);
  await waitUntil(
    () => {
      if (!proc.running) throw new WaitAborted(`dnsmasq exited: ${readOr(errPath)}`);
      return ready() > before;
    },
    { timeoutMs: 10_000, what: 'dnsmasq to start' },
  );
  return { proc, logPath, leasePath };
}

export interface Lease {
  expiry: number;
  mac: string;
  ip: string;
  hostname: string;
}

export function readLeases(leasePath: string): Lease[] {
  return readOr(leasePath)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [expiry, mac, ip, hostname] = line.split(' ');
      return { expiry: Number(expiry), mac, ip, hostname };
    });
}

export function readOr(path: string, fallback = ''): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
