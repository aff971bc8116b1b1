// Which services autoconnect picks, after connmand 1.41's run_auto_connect / auto_connect_service:
// first a pass over the services of the PreferredTechnologies (in that order), then, unless that pass
// found something connecting, one over the whole ordered list. A busy (connecting or connected)
// service stops the pass unless its technology is in AlwaysConnectedTechnologies; then only further
// always-connected technologies may still connect, one service per technology. Pure, so the policy
// is tested without a platform.
import type { Service, ServiceType } from './service';

export interface AutoconnectPolicy {
  PreferredTechnologies: readonly string[];
  AlwaysConnectedTechnologies: readonly string[];
  SingleConnectedTechnology: boolean;
}

export interface AutoconnectProbe {
  /** connecting, connected, or a connect already pending */
  busy(s: Service): boolean;
  /** its technology is powered (connmand has no services of an unpowered one to try) */
  powered(s: Service): boolean;
  /** connected because a user asked (Service.Connect), not by autoconnect */
  userConnected(s: Service): boolean;
}

export function pickAutoconnect(services: readonly Service[], cfg: AutoconnectPolicy, probe: AutoconnectProbe): Service[] {
  const always = new Set(cfg.AlwaysConnectedTechnologies);
  const picked = new Set<Service>();
  const busy = (s: Service) => picked.has(s) || probe.busy(s);

  const pass = (list: readonly Service[], preferred: boolean): boolean => {
    const ignore = new Set<ServiceType>(['vpn']);
    let autoconnecting = false;
    for (const s of list) {
      if (ignore.has(s.type)) continue;
      if (busy(s)) {
        if (!always.has(s.type)) return true;
        ignore.add(s.type);
        autoconnecting = true;
        continue;
      }
      if (!s.favorite) {
        if (preferred) continue;
        return autoconnecting;
      }
      if (!s.autoconnect || s.ignore || s.state !== 'idle' || !probe.powered(s)) continue;
      if (autoconnecting && !always.has(s.type)) continue;
      picked.add(s);
      if (!always.has(s.type)) return true;
      ignore.add(s.type);
    }
    return autoconnecting;
  };

  let autoconnecting = false;
  // With SingleConnectedTechnology, a service the user connected is not second-guessed by preference.
  const userHolds = cfg.SingleConnectedTechnology && services.some((s) => probe.busy(s) && probe.userConnected(s));
  if (cfg.PreferredTechnologies.length && !userHolds) {
    const preferredList = cfg.PreferredTechnologies.flatMap((t) => services.filter((s) => s.type === t));
    if (preferredList.length) autoconnecting = pass(preferredList, true);
  }
  if (!autoconnecting) pass(services, false);
  return [...picked];
}
