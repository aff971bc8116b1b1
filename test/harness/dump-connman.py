#!/usr/bin/python3
# Dumps net.connman's object tree with exact D-Bus types, as JSON, for reference fixtures.
# Usage: dump-connman.py BUS_ADDRESS SERVICE_PATH
# Each value becomes {"sig": <D-Bus signature>, "value": ...}; a variant's content is wrapped the
# same way under "sig": "v", so the fixture shows which type sits inside each variant.
import json
import sys

import dbus


def signature(v):
    if isinstance(v, dbus.Boolean): return 'b'
    if isinstance(v, dbus.Byte): return 'y'
    if isinstance(v, dbus.Int16): return 'n'
    if isinstance(v, dbus.UInt16): return 'q'
    if isinstance(v, dbus.Int32): return 'i'
    if isinstance(v, dbus.UInt32): return 'u'
    if isinstance(v, dbus.Int64): return 'x'
    if isinstance(v, dbus.UInt64): return 't'
    if isinstance(v, dbus.Double): return 'd'
    if isinstance(v, dbus.ObjectPath): return 'o'
    if isinstance(v, dbus.Signature): return 'g'
    if isinstance(v, dbus.String): return 's'
    if isinstance(v, dbus.Struct): return '(' + ''.join(signature(x) for x in v) + ')'
    if isinstance(v, dbus.Dictionary): return 'a{' + str(v.signature) + '}'
    if isinstance(v, dbus.Array): return 'a' + str(v.signature)
    raise TypeError(type(v))


def typed(v):
    if getattr(v, 'variant_level', 0) > 0:
        return {'sig': 'v', 'value': {'sig': signature(v), 'value': plain(v)}}
    return {'sig': signature(v), 'value': plain(v)}


def plain(v):
    if isinstance(v, dbus.Dictionary):
        return {str(k): typed(x) for k, x in v.items()}
    if isinstance(v, (dbus.Array, dbus.Struct)):
        return [typed(x) for x in v]
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32, dbus.Int64, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    return str(v)


def call(bus, path, iface, method):
    obj = bus.get_object('net.connman', path, introspect=False)
    try:
        return {'ok': typed(getattr(dbus.Interface(obj, iface), method)())}
    except dbus.DBusException as e:
        return {'error': e.get_dbus_name(), 'message': e.get_dbus_message()}


def main():
    bus = dbus.bus.BusConnection(sys.argv[1])
    service = sys.argv[2]
    calls = [
        ('/', 'net.connman.Manager', 'GetProperties'),
        ('/', 'net.connman.Manager', 'GetTechnologies'),
        ('/', 'net.connman.Manager', 'GetServices'),
        ('/', 'net.connman.Manager', 'GetPeers'),
        ('/', 'net.connman.Clock', 'GetProperties'),
        ('/net/connman/technology/ethernet', 'net.connman.Technology', 'GetProperties'),
        (service, 'net.connman.Service', 'GetProperties'),
    ]
    out = {f'{p} {i}.{m}': call(bus, p, i, m) for p, i, m in calls}
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write('\n')


main()
