#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# A stand-in for wpa_supplicant's D-Bus service (fi.w1.wpa_supplicant1) for bench/wifi-scale.ts: one
# interface whose scan results are N made-up BSSes, each its own SSID, so the daemon makes N services.
# No radio can show a thousand networks in the lab, so this serves the D-Bus side only: what the Wi-Fi
# plugin reads (GetInterface/CreateInterface, the Interface's and each BSS's properties, Scan/ScanDone).
# Nothing associates; connect calls are refused.
# Usage: mock-supplicant.py N   (on the bus of DBUS_SYSTEM_BUS_ADDRESS)
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

SERVICE = 'fi.w1.wpa_supplicant1'
ROOT = '/fi/w1/wpa_supplicant1'
IFACE = SERVICE + '.Interface'
BSS_IFACE = SERVICE + '.BSS'
PROPS = 'org.freedesktop.DBus.Properties'
IF_PATH = ROOT + '/Interfaces/1'


class Props(dbus.service.Object):
    """An object whose properties are one fixed dictionary per interface."""

    def __init__(self, bus, path, props):
        super().__init__(bus, path)
        self.props = props

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return self.props.get(iface, {})

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
    def Get(self, iface, name):
        return self.props.get(iface, {})[name]

    @dbus.service.method(PROPS, in_signature='ssv')
    def Set(self, iface, name, value):
        pass


def bss_props(i):
    ssid = ('scale-%04d' % i).encode()
    bssid = bytes([0x02, 0x00, 0x00, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    psk = i % 2 == 1
    rsn = {'KeyMgmt': dbus.Array(['wpa-psk'] if psk else [], signature='s'),
           'Pairwise': dbus.Array(['ccmp'] if psk else [], signature='s'), 'Group': 'ccmp' if psk else ''}
    return {BSS_IFACE: {
        'SSID': dbus.ByteArray(ssid), 'BSSID': dbus.ByteArray(bssid),
        'Signal': dbus.Int16(-30 - (i % 60)), 'Frequency': dbus.UInt16(2412 + 5 * (i % 13)),
        'Mode': 'infrastructure', 'Privacy': dbus.Boolean(psk),
        'RSN': dbus.Dictionary(rsn, signature='sv'), 'WPA': dbus.Dictionary({'KeyMgmt': dbus.Array([], signature='s')}, signature='sv'),
        'WPS': dbus.Dictionary({'Type': ''}, signature='sv'), 'IEs': dbus.ByteArray(b''),
        'Rates': dbus.Array([dbus.UInt32(54000000)], signature='u'), 'Age': dbus.UInt32(1),
    }}


class Interface(Props):
    def __init__(self, bus, n):
        self.bss_paths = [dbus.ObjectPath('%s/BSSs/%d' % (IF_PATH, i)) for i in range(n)]
        super().__init__(bus, IF_PATH, {IFACE: {
            'State': 'inactive', 'Scanning': dbus.Boolean(False), 'Ifname': 'wlan0', 'Driver': 'nl80211',
            'BSSs': dbus.Array(self.bss_paths, signature='o'), 'Networks': dbus.Array([], signature='o'),
            'CurrentBSS': dbus.ObjectPath('/'), 'CurrentNetwork': dbus.ObjectPath('/'),
            'DisconnectReason': dbus.Int32(0),
        }})
        self.bss = [Props(bus, p, bss_props(i)) for i, p in enumerate(self.bss_paths)]

    @dbus.service.method(IFACE, in_signature='a{sv}')
    def Scan(self, args):
        GLib.idle_add(lambda: self.ScanDone(True) and False)

    @dbus.service.signal(IFACE, signature='b')
    def ScanDone(self, ok):
        pass

    @dbus.service.method(IFACE, in_signature='a{sv}', out_signature='o')
    def AddNetwork(self, args):
        raise dbus.exceptions.DBusException('not a real supplicant', name=SERVICE + '.UnknownError')

    @dbus.service.method(IFACE)
    def RemoveAllNetworks(self):
        pass

    @dbus.service.method(IFACE)
    def Disconnect(self):
        pass

    @dbus.service.method(IFACE, out_signature='a{sv}')
    def SignalPoll(self):
        return {}


class Root(Props):
    def __init__(self, bus, n):
        super().__init__(bus, ROOT, {SERVICE: {'Interfaces': dbus.Array([], signature='o')}})
        self.bus = bus
        self.n = n
        self.iface = None

    def ensure(self):
        if self.iface is None:
            self.iface = Interface(self.bus, self.n)
        return dbus.ObjectPath(IF_PATH)

    @dbus.service.method(SERVICE, in_signature='s', out_signature='o')
    def GetInterface(self, ifname):
        return self.ensure()

    @dbus.service.method(SERVICE, in_signature='a{sv}', out_signature='o')
    def CreateInterface(self, args):
        return self.ensure()

    @dbus.service.method(SERVICE, in_signature='o')
    def RemoveInterface(self, path):
        pass


def main():
    n = int(sys.argv[1])
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    root = Root(bus, n)
    root.ensure()
    name = dbus.service.BusName(SERVICE, bus)  # the name is released when this object goes
    print('ready', flush=True)
    GLib.MainLoop().run()
    del name


if __name__ == '__main__':
    main()
