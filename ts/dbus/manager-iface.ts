// net.connman.Manager at "/", as a table. Methods of features that come later are declared with their
// exact signatures (so introspection and clients see ConnMan's interface) and answer NotSupported.
import type { Manager } from "../core/manager";
import { ConnmanError } from '../core/errors';
import { InterfaceTable, PROPERTY_CHANGED, PropertyDict, propertyDict } from './table';
import type { InterfaceTable as Table } from './table';
import type { Service } from '../core/service';
import type { Technology } from '../core/technology';
import type { AgentRegistry } from './agent';

export interface ManagerApiDeps {
  manager: Manager;
  serviceTable: Table<Service>;
  technologyTable: Table<Technology>;
  agents: Pick<AgentRegistry, 'register' | 'unregister'>;
}

export function managerTable(d: ManagerApiDeps): InterfaceTable<Manager> {
  const unsupported = () => { throw new ConnmanError('NotSupported'); };
  return {
    name: 'net.connman.Manager',
    legacyProperties: { getPropertiesDeprecated: false, setProperty: true },
    properties: [
      { name: 'State', type: 's', access: 'read', get: (m) => m.state },
      // ConnMan ignores OfflineMode failures and always answers success.
      { name: 'OfflineMode', type: 'b', access: 'readwrite', get: (m) => m.offlineMode,
        set: async (m, v) => { try { await m.setOfflineMode(v as boolean); } catch { /* as ConnMan */ } } },
      // Stored and otherwise ignored; ConnMan emits no PropertyChanged for it.
      { name: 'SessionMode', type: 'b', access: 'readwrite', get: (m) => m.sessionMode, set: (m, v) => { m.sessionMode = v as boolean; } },
    ],
    methods: [
      { name: 'GetTechnologies', in: [], out: [{ name: 'technologies', type: 'a(oa{sv})' }],
        handler: (m) => [m.technologies.map((t) => [t.path, propertyDict(d.technologyTable, t)])] },
      { name: 'RemoveProvider', in: [{ name: 'provider', type: 'o' }], out: [], deprecated: true, handler: () => { throw new ConnmanError('NotFound'); } },
      { name: 'GetServices', in: [], out: [{ name: 'services', type: 'a(oa{sv})' }],
        handler: (m) => [m.services.map((s) => [s.path, propertyDict(d.serviceTable, s)] as [string, PropertyDict])] },
      { name: 'GetPeers', in: [], out: [{ name: 'peers', type: 'a(oa{sv})' }], handler: () => [[]] },
      { name: 'GetTetheringClients', in: [], out: [{ name: 'tethering_clients', type: 'as' }], handler: () => [[]] },
      { name: 'ConnectProvider', in: [{ name: 'provider', type: 'a{sv}' }], out: [{ name: 'path', type: 'o' }], deprecated: true, handler: unsupported },
      { name: 'RegisterAgent', in: [{ name: 'path', type: 'o' }], out: [], handler: (_m, [p], ctx) => { d.agents.register(ctx.sender, String(p)); return []; } },
      { name: 'UnregisterAgent', in: [{ name: 'path', type: 'o' }], out: [], handler: (_m, _a, ctx) => { d.agents.unregister(ctx.sender); return []; } },
      { name: 'RegisterCounter', in: [{ name: 'path', type: 'o' }, { name: 'accuracy', type: 'u' }, { name: 'period', type: 'u' }], out: [], handler: unsupported },
      { name: 'UnregisterCounter', in: [{ name: 'path', type: 'o' }], out: [], handler: () => { throw new ConnmanError('NotRegistered'); } },
      { name: 'CreateSession', in: [{ name: 'settings', type: 'a{sv}' }, { name: 'notifier', type: 'o' }], out: [{ name: 'session', type: 'o' }], handler: unsupported },
      { name: 'DestroySession', in: [{ name: 'session', type: 'o' }], out: [], handler: () => { throw new ConnmanError('InvalidArguments'); } },
      { name: 'RequestPrivateNetwork', in: [], out: [{ name: 'path', type: 'o' }, { name: 'settings', type: 'a{sv}' }, { name: 'socket', type: 'h' }], handler: unsupported },
      // No private network is ever handed out (RequestPrivateNetwork is not supported), so every path is
      // unknown, which connmand's __connman_private_network_release answers with -EACCES.
      { name: 'ReleasePrivateNetwork', in: [{ name: 'path', type: 'o' }], out: [], handler: () => { throw new ConnmanError('PermissionDenied'); } },
      // P2P is not supported: a valid specification is refused as connmand refuses it without a P2P
      // driver, after the same validation.
      { name: 'RegisterPeerService', in: [{ name: 'specification', type: 'a{sv}' }, { name: 'master', type: 'b' }], out: [],
        handler: (_m, [spec]) => { checkPeerServiceSpec(spec as PeerSpec); throw new ConnmanError('NotSupported'); } },
      { name: 'UnregisterPeerService', in: [{ name: 'specification', type: 'a{sv}' }], out: [],
        handler: (_m, [spec]) => { checkPeerServiceSpec(spec as PeerSpec); throw new ConnmanError('NotRegistered'); } },
    ],
    signals: [
      PROPERTY_CHANGED,
      { name: 'TechnologyAdded', args: [{ name: 'path', type: 'o' }, { name: 'properties', type: 'a{sv}' }] },
      { name: 'TechnologyRemoved', args: [{ name: 'path', type: 'o' }] },
      { name: 'ServicesChanged', args: [{ name: 'changed', type: 'a(oa{sv})' }, { name: 'removed', type: 'ao' }] },
      { name: 'PeersChanged', args: [{ name: 'changed', type: 'a(oa{sv})' }, { name: 'removed', type: 'ao' }] },
      { name: 'TetheringClientsChanged', args: [{ name: 'registered', type: 'as' }, { name: 'removed', type: 'as' }] },
    ],
  };
}

type PeerSpec = Record<string, { signature: string; value: unknown }>;

/**
 * parse_peers_service_specs: only the five known keys; WiFiDisplayIEs cannot be combined with Bonjour
 * or UPnP; a query needs a response or a version; something must be specified; a version needs a service.
 */
export function checkPeerServiceSpec(spec: PeerSpec): void {
  let hasSpec = false, hasQuery = false, hasVersion = false;
  const bytes = (v: { signature: string; value: unknown }) => {
    if (v.signature !== 'ay') throw new ConnmanError('InvalidArguments');
    return (v.value as Buffer | number[]).length > 0;
  };
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'BonjourResponse') hasSpec = bytes(v) || hasSpec;
    else if (k === 'BonjourQuery') hasQuery = bytes(v) || hasQuery;
    else if (k === 'UpnpService') {
      if (v.signature !== 's') throw new ConnmanError('InvalidArguments');
      hasSpec = true;
    } else if (k === 'UpnpVersion') {
      if (v.signature !== 'i') throw new ConnmanError('InvalidArguments');
      hasVersion = (v.value as number) !== 0;
    } else if (k === 'WiFiDisplayIEs') {
      if (hasSpec || hasQuery) throw new ConnmanError('InvalidArguments');
      hasSpec = bytes(v);
    } else throw new ConnmanError('InvalidArguments');
  }
  if ((hasQuery && !hasSpec && !hasVersion) || (!hasSpec && !hasQuery) || (!hasSpec && hasVersion)) {
    throw new ConnmanError('InvalidArguments');
  }
}
