// 802.1X with iwd: iwd does not take EAP settings over D-Bus, it reads them from its own network files
// (iwd.network(5), `<ssid>.8021x` in its state directory) when Network.Connect runs. connmand's iwd
// plugin leaves those files to whoever builds the image; we also write one from a ConnMan provisioning
// section, so the same *.config works with either backend.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProvisionedService } from '../../config/provisioning';

/** iwd's storage directory (DAEMON_STORAGEDIR; a service manager's STATE_DIRECTORY overrides it for iwd). */
export const IWD_STATE_DIR = '/var/lib/iwd';

/** iwd's file name for a network: the SSID itself when it is plain, else "=" and its hex. */
export function iwdNetworkFile(ssid: Buffer, kind: 'psk' | 'open' | '8021x'): string {
  const text = ssid.toString('utf8');
  const plain = ssid.length > 0 && Buffer.from(text, 'utf8').equals(ssid) && /^[A-Za-z0-9 _-]+$/.test(text);
  return `${plain ? text : `=${ssid.toString('hex')}`}.${kind}`;
}

/** ConnMan's Phase2 names -> iwd's: TTLS carries them tunneled, PEAP as inner EAP methods. */
function phase2Of(method: string, phase2: string): string {
  const p = phase2.toUpperCase().replace(/^EAP-/, '');
  if (method === 'TTLS') {
    const tunneled: Record<string, string> = { MSCHAPV2: 'Tunneled-MSCHAPv2', MSCHAP: 'Tunneled-MSCHAP', PAP: 'Tunneled-PAP', CHAP: 'Tunneled-CHAP' };
    return tunneled[p] ?? p;
  }
  return p;
}

/** The `[Security]` section iwd needs for a provisioned 802.1X network, or an error for what it cannot do. */
export function iwd8021xSettings(p: ProvisionedService): string {
  const method = (p.eap ?? '').toUpperCase();
  if (!['TLS', 'PEAP', 'TTLS'].includes(method)) throw new Error(`EAP method "${p.eap ?? ''}" is not supported with iwd`);
  const lines = ['[Security]', `EAP-Method=${method}`];
  const put = (k: string, v: string | undefined) => { if (v !== undefined && v !== '') lines.push(`${k}=${v.replace(/\n/g, ' ')}`); };
  // the outer identity: the anonymous one when given, as wpa_supplicant's anonymous_identity
  put('EAP-Identity', method === 'TLS' ? p.identity : p.anonymousIdentity ?? p.identity);
  put(`EAP-${method}-CACert`, p.caCertFile);
  put(`EAP-${method}-ServerDomainMask`, p.domainSuffixMatch ?? p.domainMatch);
  if (method === 'TLS') {
    put('EAP-TLS-ClientCert', p.clientCertFile);
    put('EAP-TLS-ClientKey', p.privateKeyFile);
    put('EAP-TLS-ClientKeyPassphrase', p.privateKeyPassphrase);
  } else {
    put(`EAP-${method}-Phase2-Method`, phase2Of(method, p.phase2 ?? 'MSCHAPV2'));
    put(`EAP-${method}-Phase2-Identity`, p.identity);
    put(`EAP-${method}-Phase2-Password`, p.passphrase);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes (replaces) iwd's file for the network; a rename, so iwd never reads half a file. */
export function writeIwd8021x(dir: string, ssid: Buffer, p: ProvisionedService): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, iwdNetworkFile(ssid, '8021x'));
  const tmp = join(dir, `.switchyard-${process.pid}.tmp`);
  writeFileSync(tmp, iwd8021xSettings(p), { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}
