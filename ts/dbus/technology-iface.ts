// net.connman.Technology, as a table (ConnMan's technology.c append_properties order).
import type { Manager } from '../core/manager';
import { ConnmanError } from '../core/errors';
import type { Technology } from '../core/technology';
import { InterfaceTable, PROPERTY_CHANGED } from './table';

export function technologyTable(manager: Manager): InterfaceTable<Technology> {
  return {
    name: 'net.connman.Technology',
    legacyProperties: { getPropertiesDeprecated: true, setProperty: true },
    properties: [
      { name: 'Name', type: 's', access: 'read', get: (t) => t.name },
      { name: 'Type', type: 's', access: 'read', get: (t) => t.type },
      { name: 'Powered', type: 'b', access: 'readwrite', get: (t) => t.powered,
        set: (t, v) => manager.setTechnologyPowered(t.type, v as boolean) },
      { name: 'Connected', type: 'b', access: 'read', get: (t) => t.connected },
      { name: 'Tethering', type: 'b', access: 'readwrite', get: (t) => t.tethering, set: (t, v) => {
        if (!manager.deps.config.TetheringTechnologies.includes(t.type)) throw new ConnmanError('NotSupported');
        if (t.tethering === v) throw new ConnmanError(v ? 'AlreadyEnabled' : 'AlreadyDisabled');
        throw new ConnmanError('NotSupported'); // no bridge support yet
      } },
      { name: 'TetheringIdentifier', type: 's', access: 'readwrite', get: () => undefined,
        set: (t) => { if (t.type !== 'wifi') throw new ConnmanError('NotSupported'); throw new ConnmanError('NotSupported'); } },
      { name: 'TetheringPassphrase', type: 's', access: 'readwrite', get: () => undefined,
        set: (t) => { if (t.type !== 'wifi') throw new ConnmanError('NotSupported'); throw new ConnmanError('NotSupported'); } },
      { name: 'TetheringFreq', type: 'i', access: 'readwrite', get: (t) => t.tetheringFreq,
        set: (t) => { if (t.type !== 'wifi') throw new ConnmanError('NotSupported'); throw new ConnmanError('NotSupported'); } },
    ],
    methods: [
      { name: 'Scan', in: [], out: [], handler: async (t) => {
        if (t.type !== 'wifi' && t.type !== 'p2p') throw new ConnmanError('NotSupported');
        if (!t.scan) throw new ConnmanError('NotImplemented');
        if (!t.powered) throw new ConnmanError('NoCarrier');
        await t.scan();
        return [];
      } },
    ],
    signals: [PROPERTY_CHANGED],
  };
}
