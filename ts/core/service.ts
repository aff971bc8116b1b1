// A Service is what users see and connect: one per cable (and later per Wi-Fi network, VPN ...).
// It holds state only; the decisions live in manager.ts and connection.ts.
export type ServiceType = 'ethernet' | 'wifi' | 'bluetooth' | 'cellular' | 'gps' | 'vpn' | 'gadget' | 'p2p' | 'system';
export type ServiceState = 'idle' | 'association' | 'configuration' | 'ready' | 'online' | 'disconnect' | 'failure';
export type ServiceError = 'out-of-range' | 'pin-missing' | 'dhcp-failed' | 'connect-failed' | 'login-failed'
  | 'auth-failed' | 'invalid-key' | 'blocked' | 'online-check-failed';
export type IPv4Method = 'off' | 'fixed' | 'manual' | 'dhcp' | 'auto';
export type IPv6Method = 'off' | 'fixed' | 'manual' | 'auto' | '6to4';

export interface IPv4Address { address: string; prefixLength: number; gateway?: string; broadcast?: string }

export const isConnected = (s: ServiceState) => s === 'ready' || s === 'online';
export const isConnecting = (s: ServiceState) => s === 'association' || s === 'configuration';

/** Names of the observable properties, as they appear on D-Bus. */
export type ServiceProperty = 'State' | 'Error' | 'Strength' | 'Favorite' | 'Immutable' | 'AutoConnect' | 'Name'
  | 'Ethernet' | 'IPv4' | 'IPv4.Configuration' | 'IPv6' | 'IPv6.Configuration' | 'Nameservers'
  | 'Nameservers.Configuration' | 'Timeservers' | 'Timeservers.Configuration' | 'Domains'
  | 'Domains.Configuration' | 'Proxy' | 'Proxy.Configuration' | 'mDNS' | 'mDNS.Configuration' | 'Provider';

export class Service {
  state: ServiceState = 'idle';
  stateIPv4: ServiceState = 'idle';
  error?: ServiceError;
  strength = 0;
  favorite = false;
  immutable = false;
  autoconnect = false;
  name?: string;
  /** link the service runs over */
  ifindex = -1;
  ifname = '';
  mac = '';
  mtu = 0;
  ipv4Method: IPv4Method = 'dhcp';
  ipv4?: IPv4Address;
  lastDhcpAddress?: string;
  ipv6Method: IPv6Method = 'auto';
  ipv6Privacy: 'disabled' | 'enabled' | 'prefered' = 'disabled';
  nameservers: string[] = [];
  nameserversConfig: string[] = [];
  timeservers: string[] = [];
  timeserversConfig: string[] = [];
  domains: string[] = [];
  domainsConfig: string[] = [];
  mdns = false;
  mdnsConfig = false;
  /** set by a user Disconnect; blocks autoconnect until the next Connect (ConnMan's "ignore") */
  ignore = false;
  /** Modified timestamp for storage */
  modified?: Date;
  /** hook installed by the manager; every observable change goes through it */
  notify: (svc: Service, prop: ServiceProperty) => void = () => {};

  constructor(readonly id: string, readonly type: ServiceType) {}

  get path(): string { return `/net/connman/service/${this.id}`; }

  set<K extends keyof this>(key: K, value: this[K], prop: ServiceProperty): void {
    if (this[key] === value) return;
    this[key] = value;
    this.notify(this, prop);
  }
}

/** `<type>_<mac without colons, lower case>_cable`, as ConnMan's ethernet plugin names a cable. */
export function ethernetServiceId(mac: string): string {
  return `ethernet_${mac.replace(/:/g, '').toLowerCase()}_cable`;
}
