// net.connman.Agent, both ways. Bookkeeping follows connmand's agent.c: one agent per D-Bus sender, the
// default agent is the first one registered (the next remaining one when it goes), an agent disappears
// with its owner's bus connection. Requests are queued per agent and sent one at a time.
// Calls to the agent: RequestInput (InputRequestTimeout), ReportError (Retry), RequestBrowser
// (BrowserLaunchTimeout), Cancel and Release; replies are mapped to the outcomes core acts on.
import { ConnmanError } from '../core/errors';
import { RemoteCallError, Variant } from './bus';

export const AGENT_IFACE = 'net.connman.Agent';
const AGENT_ERROR = 'net.connman.Agent.Error.';

/** What the agent module needs from the bus; Bus provides it through agent-bus.ts, tests fake it. */
export interface AgentTransport {
  call(destination: string, path: string, iface: string, member: string, signature: string, body: unknown[]): Promise<unknown[]>;
  /** a call that expects no reply (Release, Cancel) */
  notify(destination: string, path: string, iface: string, member: string): void;
  /** runs `gone` once when `uniqueName` leaves the bus; returns an unwatch function */
  watchOwner(uniqueName: string, gone: () => void): () => void;
}

export interface AgentTimeouts { inputRequestMs: number; browserLaunchMs: number }

interface Agent { owner: string; path: string; unwatch: () => void; queue: Pending[]; busy: boolean; current?: Pending }
interface Pending { context: unknown; run: () => Promise<void>; cancelled: boolean }

/** A field of a RequestInput dict, as agent-connman.c builds them. */
export interface InputField { Type: string; Requirement: 'mandatory' | 'optional' | 'alternate' | 'informational'; Alternates?: string[]; Value?: string }

export type InputOutcome =
  | { kind: 'values'; values: Record<string, unknown> }
  | { kind: 'launch-browser' }
  | { kind: 'error'; error: ConnmanError };

export class AgentRegistry {
  private agents = new Map<string, Agent>();
  private defaultOwner?: string;

  constructor(private readonly transport: AgentTransport, private readonly timeouts: AgentTimeouts) {}

  /** Manager.RegisterAgent */
  register(sender: string, path: string): void {
    if (this.agents.has(sender)) throw new ConnmanError('AlreadyExists');
    const agent: Agent = { owner: sender, path, queue: [], busy: false, unwatch: () => undefined };
    this.agents.set(sender, agent);
    agent.unwatch = this.transport.watchOwner(sender, () => this.drop(sender));
    this.defaultOwner ??= sender;
  }

  /** Manager.UnregisterAgent: the path argument is not checked, only the sender, as in connmand. */
  unregister(sender: string): void {
    if (!this.agents.has(sender)) throw new ConnmanError('NotRegistered');
    this.drop(sender);
  }

  get defaultAgent(): { owner: string; path: string } | undefined {
    const a = this.defaultOwner ? this.agents.get(this.defaultOwner) : undefined;
    return a && { owner: a.owner, path: a.path };
  }

  /** The caller's own agent if it registered one, else the default agent (connman_agent_get_info). */
  agentFor(sender?: string): { owner: string; path: string } | undefined {
    const a = (sender && this.agents.get(sender)) || (this.defaultOwner ? this.agents.get(this.defaultOwner) : undefined);
    return a ? { owner: a.owner, path: a.path } : undefined;
  }

  /**
   * RequestInput for `service` with the given fields. Canceled -> OperationAborted; any other error or
   * the timeout -> OperationTimeout; LaunchBrowser -> launch-browser; no agent -> NoAgent (as connmand, -ESRCH).
   */
  requestInput(service: string, fields: Record<string, InputField>, opts: { sender?: string; context?: unknown } = {}): Promise<InputOutcome> {
    const body = [service, Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, new Variant('a{sv}', fieldDict(f))]))];
    return this.enqueue(opts.sender, opts.context, async (a) => {
      try {
        const [reply] = await this.callWithTimeout(a, 'RequestInput', 'oa{sv}', body, this.timeouts.inputRequestMs);
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries((reply ?? {}) as Record<string, Variant>)) values[k] = v instanceof Variant ? v.value : v;
        return { kind: 'values', values };
      } catch (e) {
        if (e instanceof RemoteCallError && e.errorName === AGENT_ERROR + 'LaunchBrowser') return { kind: 'launch-browser' };
        if (e instanceof RemoteCallError && e.errorName === AGENT_ERROR + 'Canceled') return { kind: 'error', error: new ConnmanError('OperationAborted') };
        return { kind: 'error', error: new ConnmanError('OperationTimeout') };
      }
    });
  }

  /** ReportError: true when the agent answered Retry. Any other answer clears the error (false). */
  reportError(service: string, error: string, opts: { sender?: string; context?: unknown } = {}): Promise<boolean> {
    return this.enqueue(opts.sender, opts.context, async (a) => {
      try {
        await this.callWithTimeout(a, 'ReportError', 'os', [service, error], this.timeouts.inputRequestMs);
        return false;
      } catch (e) {
        return e instanceof RemoteCallError && e.errorName === AGENT_ERROR + 'Retry';
      }
    });
  }

  /** RequestBrowser: true when the agent opened the page (an ok reply). */
  requestBrowser(service: string, url: string, opts: { sender?: string; context?: unknown } = {}): Promise<boolean> {
    return this.enqueue(opts.sender, opts.context, async (a) => {
      try {
        await this.callWithTimeout(a, 'RequestBrowser', 'os', [service, url], this.timeouts.browserLaunchMs);
        return true;
      } catch {
        return false;
      }
    });
  }

  /**
   * The service behind `context` was disconnected: its queued requests are dropped and, if one is in
   * flight, the agent gets Cancel (connman_agent_cancel). The in-flight call still resolves normally.
   */
  cancel(context: unknown): void {
    for (const a of this.agents.values()) {
      for (const p of a.queue) if (p.context === context) p.cancelled = true;
      if (a.current && a.current.context === context) this.transport.notify(a.owner, a.path, AGENT_IFACE, 'Cancel');
    }
  }

  /** Daemon shutdown: every agent gets Release (no reply expected). */
  releaseAll(): void {
    for (const a of this.agents.values()) {
      this.transport.notify(a.owner, a.path, AGENT_IFACE, 'Release');
      a.unwatch();
    }
    this.agents.clear();
    this.defaultOwner = undefined;
  }

  private drop(sender: string): void {
    const a = this.agents.get(sender);
    if (!a) return;
    a.unwatch();
    this.agents.delete(sender);
    for (const p of a.queue) p.cancelled = true;
    if (this.defaultOwner === sender) this.defaultOwner = this.agents.keys().next().value;
  }

  private async callWithTimeout(a: Agent, member: string, sig: string, body: unknown[], ms: number): Promise<unknown[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // A local timeout: connmand's libdbus reports NoReply and sends no Cancel.
      timer = setTimeout(() => reject(new RemoteCallError('org.freedesktop.DBus.Error.NoReply', 'agent did not answer')), ms);
    });
    try {
      const reply = await Promise.race([this.transport.call(a.owner, a.path, AGENT_IFACE, member, sig, body), timeout]);
      return reply;
    } catch (e) {
      // The agent's own bus reporting a timeout is what makes connmand send Cancel.
      if (e instanceof RemoteCallError && (e.errorName === 'org.freedesktop.DBus.Error.Timeout' || e.errorName === 'org.freedesktop.DBus.Error.TimedOut')) {
        this.transport.notify(a.owner, a.path, AGENT_IFACE, 'Cancel');
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private enqueue<T>(sender: string | undefined, context: unknown, fn: (a: Agent) => Promise<T>): Promise<T> {
    const info = this.agentFor(sender);
    const agent = info && this.agents.get(info.owner);
    if (!agent) return Promise.reject(new NoAgentError());
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        context, cancelled: false,
        run: async () => {
          if (p.cancelled) { reject(new ConnmanError('OperationAborted')); return; }
          try { resolve(await fn(agent)); } catch (e) { reject(e); }
        },
      };
      agent.queue.push(p);
      this.pump(agent);
    });
  }

  private pump(agent: Agent): void {
    if (agent.busy) return;
    const next = agent.queue.shift();
    if (!next) return;
    agent.busy = true;
    agent.current = next;
    next.run().finally(() => {
      agent.busy = false;
      agent.current = undefined;
      this.pump(agent);
    });
  }
}

/** No agent is registered: connmand answers the pending operation as if no input could be had. */
export class NoAgentError extends Error {
  constructor() { super('no agent registered'); }
}

function fieldDict(f: InputField): Record<string, Variant> {
  const d: Record<string, Variant> = { Type: new Variant('s', f.Type), Requirement: new Variant('s', f.Requirement) };
  if (f.Alternates) d.Alternates = new Variant('as', f.Alternates);
  if (f.Value !== undefined) d.Value = new Variant('s', f.Value);
  return d;
}
