// AgentTransport over our Bus: calls go through Bus.call, owner departures come from the bus daemon's
// NameOwnerChanged signal (arg0 = the agent's unique name, new owner empty).
import type { Bus } from './bus';
import type { AgentTransport } from './agent';

export function busAgentTransport(bus: Bus): AgentTransport {
  return {
    call: (dest, path, iface, member, sig, body) => bus.call(dest, path, iface, member, sig, body),
    // Release and Cancel go out with NO_REPLY_EXPECTED, as connmand sends them.
    notify: (dest, path, iface, member) => { try { bus.send(dest, path, iface, member); } catch { /* connection gone */ } },
    watchOwner: (name, gone) => {
      let off: (() => Promise<void>) | undefined;
      let done = false;
      bus.subscribe({ sender: 'org.freedesktop.DBus', interface: 'org.freedesktop.DBus', member: 'NameOwnerChanged', arg0: name }, (s) => {
        if (done || s.body[0] !== name || s.body[2] !== '') return;
        done = true;
        gone();
      }).then(async (unsubscribe) => {
        off = unsubscribe;
        if (done) { await unsubscribe(); return; }
        // The sender may have left before the match rule was in place.
        if (!(await bus.nameOwner(name).catch(() => name))) { done = true; gone(); }
      }).catch(() => undefined);
      return () => { done = true; off?.().catch(() => undefined); };
    },
  };
}

/** For buses that cannot call out (unit-test recorders): agents register, but nothing reaches them. */
export const inertAgentTransport: AgentTransport = {
  call: () => Promise.reject(new Error('this bus cannot call agents')),
  notify: () => undefined,
  watchOwner: () => () => undefined,
};

/** A BusLike that is really our Bus (it can call out and subscribe). */
export function canCallOut(bus: object): bus is Bus {
  const b = bus as Partial<Bus>;
  return typeof b.call === 'function' && typeof b.send === 'function' && typeof b.subscribe === 'function' && typeof b.nameOwner === 'function';
}
