// Switchyard's Wi-Fi against real radios, wpa_supplicant backend: one guest boot builds the world
// (hwsim radios, hostapd access points for open, WPA2, WPA3-SAE, transition, WEP, hidden, 802.1X and a
// roaming pair, dnsmasq behind each), starts wpa_supplicant in the station namespace and runs
// guest/wifi-daemon.guest.ts (the daemon in its own network and mount namespace, driven with connmanctl
// and a test agent). Each guest test shows up here as a subtest. wifi-iwd-guest.test.ts boots a second
// guest for the rest (client tests, the connmand comparison, iwd); the vm tier runs both at once.
import { test } from 'node:test';
import { guestSkipReason } from './guest';
import { runWifiGuest } from './wifi-guest';

test('Switchyard Wi-Fi in a guest: wpa_supplicant backend (connmanctl, agent, hostapd)', { skip: guestSkipReason() }, (t) =>
  runWifiGuest(t, { before: [], station: ['wifi-daemon'], logs: ['switchyard.err'] }));
