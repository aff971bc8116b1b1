// A Service is what users see and connect: one per cable (and later per Wi-Fi network, VPN ...).
// It holds state only; the decisions live in manager.ts and routing.ts.
import type { Dhcp4Lease } from '../platform/types';
import type { IPv4Config, IPv6Config } from './ipconfig';
export type ServiceType = 'ethernet' | 'wifi' | 'bluetooth' | 'cellular' | 'gps' | 'vpn' | 'gadget' | 'p2p' | 'system';
export type ServiceState = 'idle' | 'association' | 'configuration' | 'ready' | 'online' | 'disconnect' | 'failure';
export type ServiceError = 'out-of-range' | 'pin-missing' | 'dhcp-failed' | 'connect-failed' | 'login-failed'
  | 'auth-failed' | 'invalid-key' | 'blocked' | 'online-check-failed';
export type IPv4Method = 'off' | 'fixed' | 'manual' | 'dhcp' | 'auto';
export type IPv6Method = 'off' | 'fixed' | 'manual' | 'auto' | '6to4';

export type ProxyMethod = 'direct' | 'auto' | 'manual';
/** Proxy.Configuration as the user (or the keyfile) set it; no method means never configured */
export interface ProxyConfig { method?: ProxyMethod; servers?: string[]; excludes?: string[]; url?: string }
export type SecurityClass = 'none' | 'wep' | 'psk' | 'ieee8021x';

export interface IPv4Address { address: string; prefixLength: number; gateway?: string; broadcast?: string }
export interface IPv6Address { address: string; prefixLength: number; gateway?: string }

/** What a network driver does before IP configuration can start (Wi-Fi: associate); a cable has none. */
export interface NetworkDriver {
  /** the agent must be asked first: a secret is missing, or a hidden network's name */
  needsInput(svc: Service): boolean;
  /**
   * Associates. 'redirected': another service carries the connection (a hidden network connected by
   * name) and is ready. A rejection may carry `serviceError` for the service's Error property.
   */
  connect(svc: Service, input: { name?: string; identity?: string }): Promise<'associated' | 'redirected'>;
  disconnect(svc: Service): Promise<void>;
  /** Service.Remove: drop what the backend keeps of the network (iwd's known network), connected or not */
  forget?(svc: Service): Promise<void>;
}

export const isConnected = (s: ServiceState) => s === 'ready' || s === 'online';
export const isConnecting = (s: ServiceState) => s === 'association' || s === 'configuration';

/** Names of the observable properties, as they appear on D-Bus. */
export type ServiceProperty = 'State' | 'Error' | 'Strength' | 'Favorite' | 'Immutable' | 'AutoConnect' | 'Name'
  | 'Ethernet' | 'IPv4' | 'IPv4.Configuration' | 'IPv6' | 'IPv6.Configuration' | 'Nameservers'
  | 'Nameservers.Configuration' | 'Timeservers' | 'Timeservers.Configuration' | 'Domains'
  | 'Domains.Configuration' | 'Proxy' | 'Proxy.Configuration' | 'mDNS' | 'mDNS.Configuration' | 'Provider'
  | 'LastAddressConflict' | 'Security';

/** The last address conflict ACD saw on the service's link (LastAddressConflict). */
export interface AddressConflict {
  address: string;
  /** the other host's MAC */
  mac: string;
  /** wall clock, microseconds since the epoch; 0 before any conflict */
  timestampUs: bigint;
  resolved: boolean;
}

/** What the property holds once ACD runs, before any conflict. */
export const NO_ADDRESS_CONFLICT: AddressConflict = { address: '0.0.0.0', mac: '00:00:00:00:00:00', timestampUs: 0n, resolved: true };

export class Service {
  state: ServiceState = 'idle';
  /** per-family states (ConnMan's state_ipv4/state_ipv6); a family whose method is off stays idle */
  stateIPv4: ServiceState = 'idle';
  stateIPv6: ServiceState = 'idle';
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
  /** IPv4.Configuration / IPv6.Configuration: what the user (or the keyfile) asked for */
  ipv4Config: IPv4Config = { method: 'dhcp' };
  ipv6Config: IPv6Config = { method: 'auto', privacy: 'disabled' };
  /** what is in effect on the link while IPv4 / IPv6 is connected */
  ipv4?: IPv4Address;
  ipv6?: IPv6Address;
  /** the DHCP lease in effect, for the extras it carries (routes, MTU, hostname) */
  lease?: Dhcp4Lease;
  lastDhcpAddress?: string;
  /** present from the first time ACD runs on the service's link (main.conf AddressConflictDetection) */
  addressConflict?: AddressConflict;
  /** DHCPv6 client DUID (hex) and last delegated prefixes ("p/len"): IPv6.DHCP.DUID / .LastPrefixes */
  dhcp6Duid?: string;
  dhcp6LastPrefixes?: string[];
  nameservers: string[] = [];
  nameserversConfig: string[] = [];
  timeservers: string[] = [];
  /** The IPv4 configuration was restarted while connected: until the new lease's address is announced,
   *  IPv4 shows the method alone, as connmand does while it catches up with the kernel. */
  ipv4Rebinding = false;
  timeserversConfig: string[] = [];
  domains: string[] = [];
  domainsConfig: string[] = [];
  mdns = false;
  mdnsConfig = false;
  proxyConfig: ProxyConfig = {};
  /** security class for matching provisioning and for agent requests (a cable is "none") */
  security: SecurityClass = 'none';
  /** Wi-Fi SSID bytes, lowercase hex, for provisioning matches and storage */
  ssid?: string;
  hidden = false;
  /** Wi-Fi: an access point of the network is a configured WPS enrollee target / runs its registrar now */
  wps = false;
  wpsAdvertising = false;
  passphrase?: string;
  /** provisioning: the *.config file (without .config) and `service_<x>` section it came from */
  configFile?: string;
  configIdent?: string;
  /** what a *.config file supplies besides the user-visible *.Configuration lists (ConnMan treats
   *  provisioned nameservers and timeservers like the ones DHCP hands out, and Domain as the domain name) */
  provisionedNameservers: string[] = [];
  provisionedTimeservers: string[] = [];
  domainname?: string;
  /** set by a user Disconnect; blocks autoconnect until the next Connect (ConnMan's "ignore") */
  ignore = false;
  /** Modified timestamp for storage */
  modified?: Date;
  /** set by the plugin that owns the network (Wi-Fi); none for a cable */
  driver?: NetworkDriver;
  /** hook installed by the manager; every observable change goes through it */
  notify: (svc: Service, prop: ServiceProperty) => void = () => {};

  constructor(readonly id: string, readonly type: ServiceType) {}

  get path(): string { return `/net/connman/service/${this.id}`; }

  get ipv4Method(): IPv4Method { return this.ipv4Config.method; }
  set ipv4Method(m: IPv4Method) { this.ipv4Config = { ...this.ipv4Config, method: m }; }
  get ipv6Method(): IPv6Method { return this.ipv6Config.method; }
  set ipv6Method(m: IPv6Method) { this.ipv6Config = { ...this.ipv6Config, method: m }; }
  get ipv6Privacy(): IPv6Config['privacy'] { return this.ipv6Config.privacy; }
  set ipv6Privacy(p: IPv6Config['privacy']) { this.ipv6Config = { ...this.ipv6Config, privacy: p }; }

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
