// A Device is a link a plugin claimed. The driver callbacks do the type-specific work (for a cable:
// bring the link up or down).
import type { ServiceType } from './service';

export interface DeviceDriver {
  enable(dev: Device): Promise<void>;
  disable(dev: Device): Promise<void>;
}

export class Device {
  powered = false;
  constructor(
    readonly ifindex: number,
    readonly ifname: string,
    readonly mac: string,
    readonly type: ServiceType,
    readonly driver: DeviceDriver,
  ) {}
}
