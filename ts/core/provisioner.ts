// Applies *.config provisioning to services (connmand's config.c: try_provision_service,
// unregister_service; service.c: remove_unprovisioned_services). The files themselves are parsed and
// watched by config/provisioning-store.ts; this module decides what a match does to a service.
import type { ProvisionedService } from '../config/provisioning';
import type { ProvisioningChange } from '../config/provisioning-store';
import type { IPv4Config, IPv6Config } from './ipconfig';
import type { Manager } from './manager';
import { Service, isConnected, isConnecting } from './service';

/** What the manager needs from the provisioning files (ProvisioningStore provides it). */
export interface ProvisioningSource {
  start(): void;
  stop(): void;
  match(c: { type: string; mac?: string; ifname?: string; ssid?: string; security?: string }): ProvisionedService | undefined;
  resolves(file: string, ident: string): boolean;
  on(event: 'changed', fn: (c: ProvisioningChange) => void): unknown;
}

function ipv4Of(p: ProvisionedService): IPv4Config {
  const ip = p.ipv4;
  if (!ip || ip.method === 'dhcp' || ip.method === 'auto') return { method: 'dhcp' };
  if (ip.method === 'off') return { method: 'off' };
  return { method: 'fixed', address: ip.address, prefixLength: ip.prefixLength, gateway: ip.gateway };
}

function ipv6Of(p: ProvisionedService, privacy: IPv6Config['privacy']): IPv6Config {
  const ip = p.ipv6;
  const pr = p.ipv6Privacy ?? privacy;
  if (!ip || ip.method === 'dhcp' || ip.method === 'auto') return { method: 'auto', privacy: pr };
  if (ip.method === 'off') return { method: 'off', privacy: pr };
  return { method: 'fixed', address: ip.address, prefixLength: ip.prefixLength, gateway: ip.gateway, privacy: pr };
}

export class Provisioner {
  constructor(private readonly m: Manager, private readonly src?: ProvisioningSource) {}

  /** Loads the files, deletes saved services whose provisioning is gone, and follows later changes. */
  start(): void {
    if (!this.src) return;
    this.src.start();
    this.removeUnprovisioned();
    this.src.on('changed', (c) => { void this.onChanged(c); });
  }

  stop(): void { this.src?.stop(); }

  /** remove_unprovisioned_services: only files that name both Config.file and Config.ident are judged. */
  private removeUnprovisioned(): void {
    for (const id of this.m.saved.ids()) {
      const s = this.m.saved.load(id);
      if (!s?.configFile || !s.configIdent) continue;
      if (this.src!.resolves(s.configFile, s.configIdent)) continue;
      this.m.deps.log.info(`removing ${id}: provisioning ${s.configFile}/${s.configIdent} is gone`);
      this.m.saved.delete(id);
    }
  }

  /**
   * Provisions `svc` from the first matching section, if any. Returns whether it matched; the caller
   * connects a cable at once (and otherwise runs autoconnect).
   */
  provision(svc: Service): boolean {
    const p = this.src?.match({ type: svc.type, mac: svc.mac, ifname: svc.ifname, ssid: svc.ssid, security: svc.security });
    if (!p) return false;
    this.m.deps.log.debug('provisioner', `${svc.id} provisioned by ${p.file}.config [${p.ident}]`);
    svc.ipv4Config = ipv4Of(p);
    svc.ipv6Config = ipv6Of(p, svc.ipv6Config.privacy);
    svc.favorite = true;
    svc.configFile = p.file;
    svc.configIdent = p.ident;
    svc.domainname = p.domain;
    // connmand appends provisioned nameservers and timeservers like DHCP's, not as *.Configuration
    svc.provisionedNameservers = [...(p.nameservers ?? [])];
    svc.provisionedTimeservers = [...(p.timeservers ?? [])];
    if (p.searchDomains) svc.domainsConfig = [...p.searchDomains];
    svc.mdnsConfig = p.mdns ?? false;
    if (p.passphrase !== undefined) svc.passphrase = p.passphrase;
    if (p.hidden !== undefined) svc.hidden = p.hidden;
    // __connman_service_load_modifiable: only AutoConnect and Modified come from the saved file
    const saved = this.m.saved.load(svc.id, { provisioned: true });
    if (saved?.autoconnect !== undefined) svc.autoconnect = saved.autoconnect;
    if (saved?.modified) svc.modified = saved.modified;
    svc.immutable = true;
    return true;
  }

  /**
   * unregister_service: the service is no longer Immutable, its saved directory goes, and a cable is
   * disconnected, put back on DHCP/auto and left alone until the user connects it (ignore), as connmand
   * does ("the user needs to reconnect the cable"). What the file supplied is taken back too.
   */
  private async unprovision(svc: Service): Promise<void> {
    this.m.deps.log.info(`${svc.id}: provisioning ${svc.configFile}/${svc.configIdent} removed`);
    svc.set('immutable', false, 'Immutable');
    svc.configFile = undefined;
    svc.configIdent = undefined;
    svc.domainname = undefined;
    svc.provisionedNameservers = [];
    svc.provisionedTimeservers = [];
    svc.domainsConfig = [];
    svc.mdnsConfig = false;
    this.m.saved.delete(svc.id);
    if (svc.type === 'ethernet' || svc.type === 'gadget') {
      if (isConnected(svc.state) || isConnecting(svc.state)) await this.m.disconnectService(svc, false).catch(() => undefined);
      svc.ipv4Config = { method: 'dhcp' };
      svc.ipv6Config = { method: 'auto', privacy: svc.ipv6Config.privacy };
      svc.ignore = true;
    }
    for (const p of ['IPv4.Configuration', 'IPv6.Configuration', 'Domains.Configuration', 'mDNS.Configuration'] as const) svc.notify(svc, p);
  }

  /** config_notify_handler: a changed or removed file unprovisions its services; then all are matched again. */
  private async onChanged(c: ProvisioningChange): Promise<void> {
    const gone = new Set([...c.changed, ...c.removed]);
    for (const svc of [...this.m.services]) {
      if (svc.configFile && gone.has(svc.configFile)) await this.unprovision(svc);
    }
    if (!c.added.length && !c.changed.length) return;
    for (const svc of [...this.m.services]) {
      if (svc.immutable || !this.m.services.includes(svc)) continue;
      if (!this.provision(svc)) continue;
      // now a favourite: autoconnect walks the list in order and stops at the first non-favourite
      this.m.sort();
      if (isConnected(svc.state) || isConnecting(svc.state)) await this.m.disconnectService(svc, false).catch(() => undefined);
      svc.ignore = false;
      for (const p of ['Immutable', 'Favorite', 'AutoConnect', 'IPv4.Configuration', 'IPv6.Configuration', 'Domains.Configuration', 'mDNS.Configuration'] as const) svc.notify(svc, p);
      if (svc.type === 'ethernet' || svc.type === 'gadget') this.m.connectSoon(svc); else this.m.scheduleAutoconnect();
    }
  }
}
