// Records what the D-Bus adapters export and signal, without a bus.
import type { BusLike } from '../../ts/dbus/api';
import type { InterfaceDef } from '../../ts/dbus/bus';

export interface RecordedSignal { path: string; iface: string; name: string; signature: string; body: unknown[] }

export class FakeBus implements BusLike {
  readonly objects = new Map<string, InterfaceDef[]>();
  readonly signals: RecordedSignal[] = [];
  export(path: string, defs: InterfaceDef[]): void { this.objects.set(path, defs); }
  unexport(path: string): void { this.objects.delete(path); }
  signal(path: string, iface: string, name: string, signature: string, body: unknown[]): void {
    this.signals.push({ path, iface, name, signature, body });
  }
  /** calls a method the way the bus would, after checking the input signature */
  async call(path: string, iface: string, member: string, args: unknown[] = [], sender = ':1.99'): Promise<unknown[]> {
    const def = this.objects.get(path)?.find((d) => d.name === iface);
    const m = def?.methods.find((x) => x.name === member);
    if (!m) throw new Error(`no ${iface}.${member} at ${path}`);
    return m.handler(args, { sender });
  }
  /** "Name value" strings of PropertyChanged signals, for order assertions */
  changes(pathPrefix = ''): string[] {
    return this.signals.filter((s) => s.name === 'PropertyChanged' && s.path.startsWith(pathPrefix))
      .map((s) => `${s.iface.split('.').pop()}.${s.body[0]}`);
  }
}
