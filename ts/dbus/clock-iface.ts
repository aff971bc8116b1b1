// net.connman.Clock at "/", as a table (ConnMan's clock.c order and set_property rules).
import { ConnmanError } from '../core/errors';
import type { TimeSettings } from '../core/time-settings';
import { InterfaceTable, PROPERTY_CHANGED } from './table';

export function clockTable(): InterfaceTable<TimeSettings> {
  return {
    name: 'net.connman.Clock',
    legacyProperties: { getPropertiesDeprecated: false, setProperty: true },
    properties: [
      { name: 'Time', type: 't', access: 'readwrite', get: (c) => c.now(), set: (c, v) => c.setTime(v as bigint) },
      { name: 'TimeUpdates', type: 's', access: 'readwrite', get: (c) => c.timeUpdates, set: (c, v) => c.setTimeUpdates(v as string) },
      { name: 'Timezone', type: 's', access: 'readwrite', get: (c) => c.timezone(), set: (c, v) => c.setTimezone(v as string) },
      { name: 'TimezoneUpdates', type: 's', access: 'readwrite', get: (c) => c.timezoneUpdates, set: (c, v) => c.setTimezoneUpdates(v as string) },
      { name: 'Timeservers', type: 'as', access: 'readwrite', get: (c) => [...c.timeservers], set: (c, v) => c.setTimeservers(v as string[]) },
      // connmand answers PermissionDenied rather than InvalidProperty for this read-only one
      { name: 'TimeserverSynced', type: 'b', access: 'readwrite', get: (c) => c.synced,
        set: () => { throw new ConnmanError('PermissionDenied'); } },
    ],
    methods: [],
    signals: [PROPERTY_CHANGED],
  };
}
