// The plugin API (version 1). Built-in technologies are plugins on this same API.
import type { Platform } from '../platform/types';
import type { MainConfig } from '../config/main-conf';
import type { Manager } from '../core/manager';
import type { LinkWatch } from '../core/link-watch';
import type { Logger } from '../core/log';

export const PLUGIN_API_VERSION = 1;

export interface PluginContext {
  manager: Manager;
  platform: Platform;
  links: LinkWatch;
  config: MainConfig;
  /** -i / -I from the command line */
  device?: string[];
  nodevice?: string[];
  log: Logger;
}

export interface Plugin {
  name: string;
  apiVersion: number;
  start(ctx: PluginContext): Promise<void> | void;
  stop(): Promise<void> | void;
}

export const BUILTIN_PLUGIN_NAMES = ['loopback', 'ethernet', 'wifi'] as const;

/** -p / -P: glob lists deciding which plugins load, as connmand's __connman_plugin_init does. */
export function pluginEnabled(name: string, only: string[] | undefined, skip: string[], glob: (p: string, n: string) => boolean): boolean {
  if (only && !only.some((p) => glob(p, name))) return false;
  return !skip.some((p) => glob(p, name));
}
