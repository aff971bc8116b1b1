// net.connman.Clock at "/", as a table (ConnMan's clock.c order). Writes are not implemented yet.
import { ConnmanError } from '../core/errors';
import type { TimeSettings } from '../core/time-settings';
import { InterfaceTable, PROPERTY_CHANGED } from './table';

export function clockTable(): InterfaceTable<TimeSettings> {
  const notYet = () => { throw new ConnmanError('NotImplemented'); };
  return {
    name: 'net.connman.Clock',
    legacyProperties: { getPropertiesDeprecated: false, setProperty: true },
    properties: [
      { name: 'Time', type: 't', access: 'readwrite', get: (c) => c.now(), set: notYet },
      { name: 'TimeUpdates', type: 's', access: 'readwrite', get: (c) => c.timeUpdates, set: notYet },
      { name: 'Timezone', type: 's', access: 'readwrite', get: (c) => c.timezone(), set: notYet },
      { name: 'TimezoneUpdates', type: 's', access: 'readwrite', get: (c) => c.timezoneUpdates, set: notYet },
      { name: 'Timeservers', type: 'as', access: 'readwrite', get: (c) => [...c.timeservers], set: notYet },
      { name: 'TimeserverSynced', type: 'b', access: 'read', get: (c) => c.synced },
    ],
    methods: [],
    signals: [PROPERTY_CHANGED],
  };
}
