// What core needs from the user's agent (net.connman.Agent, served in dbus/agent-input.ts): the secrets
// for a secured service, or the error its Connect call must end with.
import { ConnmanError } from './errors';
import type { Service } from './service';

export type InputAnswer =
  /** name: a hidden network's SSID; passphrase absent for an open one; identity for 802.1X */
  | { passphrase?: string; name?: string; identity?: string; error?: undefined }
  /** invalidKey: the agent's answer failed connmand's passphrase checks (service Error invalid-key) */
  | { error: ConnmanError; invalidKey?: boolean; passphrase?: undefined };

export interface InputAgent {
  /** RequestInput for `svc`, to the caller's own agent when `sender` registered one, else the default */
  ask(svc: Service, sender?: string): Promise<InputAnswer>;
  /** the service was disconnected: its pending request is withdrawn (Agent.Cancel) */
  cancel(svc: Service): void;
  /**
   * ReportError after a user's Connect failed (connmand reports every such failure, invalid-key being the
   * one agents act on): true when the agent answered Retry. Rejects when there is no agent to tell.
   */
  reportError?(svc: Service, error: string, sender?: string): Promise<boolean>;
}

/** Without any agent connmand's passphrase request fails with -ESRCH, which clients see as NotRegistered. */
export function askForInput(agent: InputAgent | undefined, svc: Service, sender?: string): Promise<InputAnswer> {
  if (!agent) return Promise.resolve({ error: new ConnmanError('NotRegistered') });
  return agent.ask(svc, sender).catch((e) => ({ error: e instanceof ConnmanError ? e : new ConnmanError('NotRegistered') }));
}
