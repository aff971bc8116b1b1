// A Technology groups the devices of one type (ethernet, wifi ...) and carries the user's power choice.
import type { ServiceType } from './service';

export type TechnologyProperty = 'Powered' | 'Connected' | 'Tethering' | 'TetheringFreq';

const NAMES: Partial<Record<ServiceType, string>> = {
  ethernet: 'Wired', wifi: 'WiFi', bluetooth: 'Bluetooth', cellular: 'Cellular', gadget: 'Gadget', p2p: 'P2P',
};

export class Technology {
  /** effective power state (false in offline mode even when the user enabled it) */
  powered = false;
  /** the user's choice, persisted as Enable */
  enablePersistent = false;
  connected = false;
  tethering = false;
  tetheringFreq = 0;
  tetheringIdentifier?: string;
  tetheringPassphrase?: string;
  /** a SetProperty(Powered) in flight; a second one gets Failed(EBUSY) */
  pending = false;
  /** Technology.Scan, installed by the plugin that can scan (Wi-Fi); resolves when results are in */
  scan?: () => Promise<void>;

  constructor(readonly type: ServiceType) {}

  get name(): string { return NAMES[this.type] ?? this.type; }
  get path(): string { return `/net/connman/technology/${this.type}`; }
  /** storage group name */
  get group(): string { return this.name; }
}
