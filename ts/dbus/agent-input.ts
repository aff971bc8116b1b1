// Core's InputAgent over the AgentRegistry: builds connmand's RequestInput fields for a service, checks
// the answer the way connmand does, and maps the outcome to the error its Connect call gets.
import { ConnmanError } from '../core/errors';
import type { InputAgent, InputAnswer } from '../core/input-agent';
import type { Service } from '../core/service';
import { AgentRegistry, NoAgentError } from './agent';
import { inputFields, parseInputReply, passphraseValid } from './agent-fields';

export function registryInputAgent(agents: AgentRegistry): InputAgent {
  return {
    async ask(svc: Service, sender?: string): Promise<InputAnswer> {
      const fields = inputFields({
        security: svc.security, hidden: svc.hidden && !svc.name,
        previousPassphrase: svc.passphrase,
      });
      let outcome;
      try {
        outcome = await agents.requestInput(svc.path, fields, { sender, context: svc });
      } catch (e) {
        if (e instanceof NoAgentError) return { error: new ConnmanError('NotRegistered') };
        if (e instanceof ConnmanError) return { error: e };
        throw e;
      }
      if (outcome.kind === 'error') return { error: outcome.error };
      if (outcome.kind === 'launch-browser') return { error: new ConnmanError('OperationAborted') };
      const answer = parseInputReply(outcome.values);
      if (answer === 'invalid-arguments') return { error: new ConnmanError('InvalidArguments') };
      const pass = answer.passphrase;
      const name = answer.name ?? (answer.ssid ? answer.ssid.toString('utf8') : undefined);
      if (svc.hidden && !svc.name && !name) return { error: new ConnmanError('InvalidArguments') };
      // a hidden open network asks for its name alone
      if (pass === undefined && svc.security === 'none') return { name };
      if (pass === undefined) return { error: new ConnmanError('PassphraseRequired') };
      if (!passphraseValid(svc.security, pass)) return { error: new ConnmanError('Failed', 'Input/output error'), invalidKey: true };
      return { passphrase: pass, name, identity: answer.identity };
    },
    cancel(svc: Service): void { agents.cancel(svc); },
    reportError(svc: Service, error: string, sender?: string): Promise<boolean> {
      return agents.reportError(svc.path, error, { sender, context: svc });
    },
  };
}
