// Switchyard's Wi-Fi against real radios, the rest of the scenarios in a guest of their own (the same
// world as wifi-daemon-guest.test.ts): guest/supplicant.guest.ts (the plugin's wpa_supplicant client on
// a radio of its own: D-Bus activation, BSS properties, wpa_supplicant crashing and restarted), then with
// wpa_supplicant in the station namespace guest/wifi-compare.guest.ts (the same WPA2 connect against
// connmand 1.41, a functional check; bench/wifi-connect.ts times both daemons) and guest/wifi-iwd.guest.ts
// (wpa_supplicant stopped, iwd started, Switchyard with -W iwd). Each guest test shows up as a subtest.
import { test } from 'node:test';
import { guestSkipReason } from './guest';
import { runWifiGuest } from './wifi-guest';

test('Switchyard Wi-Fi in a guest: client, connmand comparison, iwd backend', { skip: guestSkipReason() }, (t) =>
  runWifiGuest(t, { before: ['supplicant'], station: ['wifi-compare', 'wifi-iwd'],
    logs: ['compare-connmand.err', 'compare-switchyard.err', 'switchyard-iwd.err', 'iwd.log'] }));
