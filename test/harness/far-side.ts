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

export async function startDnsmasq(farNs: string, dir: string): Promise<Dnsmasq> {
  const logPath = join(dir, 'dnsmasq.log');
  const leasePath = join(dir, 'dnsmasq.leases');
  const [alpha, beta] = Object.entries(DNS_RECORDS);
  const argv = [
    'ip', 'netns', 'exec', farNs,
    '/usr/sbin/dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file', '--user=root',
    '--no-resolv', '--no-hosts', '--bind-interfaces', `--interface=${FAR_IF}`,
    `--dhcp-range=${DHCP_FIRST},${DHCP_LAST},255.255.255.0,${LEASE_TIME}`,
    `--dhcp-leasefile=${leasePath}`, `--domain=${DOMAIN}`,
    `--address=/${alpha[0]}/${alpha[1]}`, `--host-record=${beta[0]},${beta[1]}`,
    '--log-dhcp', '--log-queries', `--log-facility=${logPath}`,
  ];
  const proc = new Background('dnsmasq', argv, join(dir, 'dnsmasq.out'), join(dir, 'dnsmasq.err'));
  await waitUntil(
    () => {
      if (!proc.running) throw new WaitAborted(`dnsmasq exited: ${readOr(join(dir, 'dnsmasq.err'))}`);
      return readOr(logPath).includes('DHCP, IP range');
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
