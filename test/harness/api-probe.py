#!/usr/bin/python3
# Differential API prober: calls every Manager, Technology, Service and Clock method with good and bad
# arguments (wrong types, wrong paths, absurd values, unknown properties) and prints one JSON row per
# call: the reply (as typed JSON) or the D-Bus error name. Per-run values are masked by the caller.
# Usage: DBUS_SYSTEM_BUS_ADDRESS=... api-probe.py <service-id>
import json, sys
import dbus

SID = sys.argv[1]
SPATH = '/net/connman/service/' + SID
TPATH = '/net/connman/technology/ethernet'
bus = dbus.SystemBus()

def typed(v):
    if isinstance(v, dbus.Dictionary):
        return {str(k): typed(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
    if isinstance(v, dbus.Struct):
        return [typed(x) for x in v]
    if isinstance(v, dbus.Array):
        return [typed(x) for x in v]
    name = type(v).__name__
    if isinstance(v, (dbus.Boolean,)):
        return {name: bool(v)}
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32, dbus.Int64, dbus.UInt64)):
        return {name: int(v)}
    if isinstance(v, dbus.Double):
        return {name: float(v)}
    return {name: str(v)}

rows = []
def probe(label, path, iface, method, sig, args):
    row = {'label': label, 'call': '%s.%s(%s)' % (iface.split('.')[-1], method, sig)}
    try:
        r = bus.call_blocking('net.connman', path, iface, method, sig, args, timeout=10)
        row['reply'] = typed(r) if r is not None else None
    except dbus.exceptions.DBusException as e:
        row['error'] = e.get_dbus_name()
    rows.append(row)

M, T, S, C = 'net.connman.Manager', 'net.connman.Technology', 'net.connman.Service', 'net.connman.Clock'
V = dbus.Boolean
# ---- read-only first ----
probe('manager GetProperties', '/', M, 'GetProperties', '', [])
probe('manager GetProperties extra arg', '/', M, 'GetProperties', 's', ['x'])
probe('manager GetTechnologies', '/', M, 'GetTechnologies', '', [])
probe('manager GetServices', '/', M, 'GetServices', '', [])
probe('manager GetPeers', '/', M, 'GetPeers', '', [])
probe('manager GetTetheringClients', '/', M, 'GetTetheringClients', '', [])
probe('manager unknown method', '/', M, 'NoSuchMethod', '', [])
probe('manager on wrong path', '/net', M, 'GetProperties', '', [])
probe('technology GetProperties', TPATH, T, 'GetProperties', '', [])
probe('technology unknown path', '/net/connman/technology/nope', T, 'GetProperties', '', [])
probe('service GetProperties', SPATH, S, 'GetProperties', '', [])
probe('service unknown path', '/net/connman/service/nope', S, 'GetProperties', '', [])
probe('clock GetProperties', '/', C, 'GetProperties', '', [])
# ---- Manager.SetProperty ----
probe('manager SetProperty unknown', '/', M, 'SetProperty', 'sv', ['Bogus', V(True)])
probe('manager SetProperty State read-only', '/', M, 'SetProperty', 'sv', ['State', 'idle'])
probe('manager SetProperty OfflineMode wrong type', '/', M, 'SetProperty', 'sv', ['OfflineMode', 'yes'])
probe('manager SetProperty OfflineMode same value', '/', M, 'SetProperty', 'sv', ['OfflineMode', V(False)])
probe('manager SetProperty SessionMode', '/', M, 'SetProperty', 'sv', ['SessionMode', V(False)])
probe('manager SetProperty wrong signature', '/', M, 'SetProperty', 'ss', ['OfflineMode', 'x'])
# ---- Manager methods with bad arguments ----
probe('manager RegisterAgent', '/', M, 'RegisterAgent', 'o', ['/probe/agent'])
probe('manager RegisterAgent again', '/', M, 'RegisterAgent', 'o', ['/probe/agent'])
probe('manager UnregisterAgent', '/', M, 'UnregisterAgent', 'o', ['/probe/agent'])
probe('manager UnregisterAgent again', '/', M, 'UnregisterAgent', 'o', ['/probe/agent'])
probe('manager RegisterAgent wrong type', '/', M, 'RegisterAgent', 's', ['/probe/agent'])
probe('manager UnregisterCounter unknown', '/', M, 'UnregisterCounter', 'o', ['/probe/counter'])
probe('manager DestroySession unknown', '/', M, 'DestroySession', 'o', ['/probe/session'])
probe('manager ReleasePrivateNetwork unknown', '/', M, 'ReleasePrivateNetwork', 'o', ['/probe/pn'])
probe('manager RemoveProvider unknown', '/', M, 'RemoveProvider', 'o', ['/probe/provider'])
probe('manager UnregisterPeerService empty', '/', M, 'UnregisterPeerService', 'a{sv}', [{}])
probe('manager CreateSession wrong type', '/', M, 'CreateSession', 'a{sv}s', [{}, 'x'])
# ---- Technology ----
probe('technology SetProperty unknown', TPATH, T, 'SetProperty', 'sv', ['Bogus', V(True)])
probe('technology SetProperty Name read-only', TPATH, T, 'SetProperty', 'sv', ['Name', 'x'])
probe('technology SetProperty Powered wrong type', TPATH, T, 'SetProperty', 'sv', ['Powered', dbus.UInt32(1)])
probe('technology SetProperty Powered same value', TPATH, T, 'SetProperty', 'sv', ['Powered', V(True)])
probe('technology SetProperty Tethering on ethernet', TPATH, T, 'SetProperty', 'sv', ['Tethering', V(False)])
probe('technology SetProperty TetheringIdentifier', TPATH, T, 'SetProperty', 'sv', ['TetheringIdentifier', 'probe'])
probe('technology SetProperty TetheringPassphrase short', TPATH, T, 'SetProperty', 'sv', ['TetheringPassphrase', 'short'])
probe('technology Scan ethernet', TPATH, T, 'Scan', '', [])
probe('technology Scan extra arg', TPATH, T, 'Scan', 's', ['x'])
# ---- Service ----
probe('service SetProperty unknown', SPATH, S, 'SetProperty', 'sv', ['Bogus', V(True)])
probe('service SetProperty State read-only', SPATH, S, 'SetProperty', 'sv', ['State', 'idle'])
probe('service SetProperty AutoConnect wrong type', SPATH, S, 'SetProperty', 'sv', ['AutoConnect', 'yes'])
probe('service SetProperty AutoConnect same', SPATH, S, 'SetProperty', 'sv', ['AutoConnect', V(True)])
probe('service SetProperty Nameservers.Configuration wrong type', SPATH, S, 'SetProperty', 'sv', ['Nameservers.Configuration', 'x'])
probe('service SetProperty Nameservers.Configuration', SPATH, S, 'SetProperty', 'sv', ['Nameservers.Configuration', dbus.Array(['192.0.2.53'], signature='s')])
probe('service SetProperty Nameservers.Configuration clear', SPATH, S, 'SetProperty', 'sv', ['Nameservers.Configuration', dbus.Array([], signature='s')])
probe('service SetProperty Timeservers.Configuration', SPATH, S, 'SetProperty', 'sv', ['Timeservers.Configuration', dbus.Array(['ntp.lab.test'], signature='s')])
probe('service SetProperty Domains.Configuration', SPATH, S, 'SetProperty', 'sv', ['Domains.Configuration', dbus.Array(['lab.test'], signature='s')])
probe('service SetProperty IPv4.Configuration absurd method', SPATH, S, 'SetProperty', 'sv', ['IPv4.Configuration', dbus.Dictionary({'Method': 'teleport'}, signature='sv')])
probe('service SetProperty IPv4.Configuration bad address', SPATH, S, 'SetProperty', 'sv', ['IPv4.Configuration', dbus.Dictionary({'Method': 'manual', 'Address': '300.1.1.1', 'Netmask': '255.255.255.0'}, signature='sv')])
probe('service SetProperty IPv4.Configuration wrong type', SPATH, S, 'SetProperty', 'sv', ['IPv4.Configuration', 'dhcp'])
probe('service SetProperty IPv6.Configuration absurd', SPATH, S, 'SetProperty', 'sv', ['IPv6.Configuration', dbus.Dictionary({'Method': 'x'}, signature='sv')])
probe('service SetProperty Proxy.Configuration absurd', SPATH, S, 'SetProperty', 'sv', ['Proxy.Configuration', dbus.Dictionary({'Method': 'x'}, signature='sv')])
probe('service SetProperty mDNS.Configuration wrong type', SPATH, S, 'SetProperty', 'sv', ['mDNS.Configuration', 'yes'])
probe('service ClearProperty Error', SPATH, S, 'ClearProperty', 's', ['Error'])
probe('service ClearProperty unknown', SPATH, S, 'ClearProperty', 's', ['Bogus'])
probe('service ClearProperty wrong type', SPATH, S, 'ClearProperty', 'u', [dbus.UInt32(1)])
probe('service Connect already connected', SPATH, S, 'Connect', '', [])
probe('service MoveBefore itself', SPATH, S, 'MoveBefore', 'o', [SPATH])
probe('service MoveBefore unknown', SPATH, S, 'MoveBefore', 'o', ['/net/connman/service/nope'])
probe('service MoveAfter unknown', SPATH, S, 'MoveAfter', 'o', ['/net/connman/service/nope'])
probe('service MoveAfter wrong type', SPATH, S, 'MoveAfter', 's', [SPATH])
probe('service ResetCounters', SPATH, S, 'ResetCounters', '', [])
probe('service Remove ethernet', SPATH, S, 'Remove', '', [])
probe('service Connect unknown path', '/net/connman/service/nope', S, 'Connect', '', [])
# ---- Clock ----
probe('clock SetProperty unknown', '/', C, 'SetProperty', 'sv', ['Bogus', V(True)])
probe('clock SetProperty TimeUpdates absurd', '/', C, 'SetProperty', 'sv', ['TimeUpdates', 'sometimes'])
probe('clock SetProperty TimeUpdates wrong type', '/', C, 'SetProperty', 'sv', ['TimeUpdates', V(True)])
probe('clock SetProperty TimezoneUpdates absurd', '/', C, 'SetProperty', 'sv', ['TimezoneUpdates', 'x'])
probe('clock SetProperty Time wrong type', '/', C, 'SetProperty', 'sv', ['Time', 'now'])
probe('clock SetProperty Timezone wrong type', '/', C, 'SetProperty', 'sv', ['Timezone', V(True)])
# ---- state-changing last ----
probe('service Disconnect', SPATH, S, 'Disconnect', '', [])
probe('service Disconnect again', SPATH, S, 'Disconnect', '', [])
probe('manager SetProperty OfflineMode true', '/', M, 'SetProperty', 'sv', ['OfflineMode', V(True)])
probe('manager GetProperties offline', '/', M, 'GetProperties', '', [])
probe('manager SetProperty OfflineMode false', '/', M, 'SetProperty', 'sv', ['OfflineMode', V(False)])
json.dump(rows, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write('\n')
