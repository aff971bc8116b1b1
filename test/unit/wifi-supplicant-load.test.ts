// Loading an interface that already lists many BSSs (a busy site, or wpa_supplicant's cache after our
// restart): every BSS is read, with only a few calls outstanding at once, because the system bus
// answers LimitsExceeded past max_replies_per_connection (128 by default) and a refused read would
// silently lose that network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SupplicantInterface, INTERFACE_IFACE, BSS_IFACE } from '../../ts/plugins/wifi/supplicant-interface';
import type { DbusClient } from '../../ts/plugins/wifi/dbus-client';
import { silentLogger } from '../../ts/core/log';

const N = 600;
const LIMIT = 128;

test('500+ listed BSSs are all loaded without exceeding the bus limit on outstanding calls', async () => {
  const paths = Array.from({ length: N }, (_, i) => `/fi/w1/wpa_supplicant1/Interfaces/0/BSSs/${i}`);
  let inFlight = 0;
  let peak = 0;
  const bus: DbusClient = {
    async call(_dest, path, _iface, _member, _sig, body) {
      if (++inFlight > LIMIT) {
        inFlight--;
        throw Object.assign(new Error('too many replies pending'), { errorName: 'org.freedesktop.DBus.Error.LimitsExceeded' });
      }
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (body?.[0] === INTERFACE_IFACE) return [{ State: 'inactive', BSSs: paths }];
      assert.equal(body?.[0], BSS_IFACE);
      const i = Number(path.split('/').pop());
      return [{ SSID: Buffer.from(`net-${i}`), BSSID: Buffer.from([2, 0, 0, 0, i >> 8, i & 0xff]), Signal: -50, Frequency: 2412, Privacy: false }];
    },
    async subscribe() { return async () => undefined; },
    async nameOwner() { return ':1.1'; },
    variant(signature, value) { return { signature, value }; },
  };
  const iface = new SupplicantInterface(bus, '/fi/w1/wpa_supplicant1/Interfaces/0', 'wlan0', silentLogger);
  await iface.load();
  assert.equal(iface.bsss.size, N, 'every listed BSS was read');
  assert.ok(peak <= 16 + 1, `at most a few calls outstanding (peak ${peak})`);
});
