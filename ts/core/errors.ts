// The closed set of failures core can report. dbus/ maps each to net.connman.Error.<name> with ConnMan's
// fixed message; nothing else crosses that boundary as an error name.
export type ConnmanErrorName =
  | 'NotRegistered' | 'NotFound' | 'PermissionDenied' | 'AlreadyExists' | 'InvalidArguments'
  | 'NotImplemented' | 'NoCarrier' | 'NotUnique' | 'NotSupported' | 'OperationAborted'
  | 'AlreadyConnected' | 'NotConnected' | 'OperationTimeout' | 'InProgress' | 'PassphraseRequired'
  | 'OperationCanceled' | 'Failed' | 'InvalidProperty' | 'InvalidService' | 'AlreadyEnabled'
  | 'AlreadyDisabled';

export const ERROR_MESSAGES: Record<Exclude<ConnmanErrorName, 'Failed'>, string> = {
  NotRegistered: 'Not registered', NotFound: 'Not found', PermissionDenied: 'Permission denied',
  AlreadyExists: 'Already exists', InvalidArguments: 'Invalid arguments', NotImplemented: 'Not implemented',
  NoCarrier: 'No carrier', NotUnique: 'Not unique', NotSupported: 'Not supported',
  OperationAborted: 'Operation aborted', AlreadyConnected: 'Already connected', NotConnected: 'Not connected',
  OperationTimeout: 'Operation timeout', InProgress: 'In progress', PassphraseRequired: 'Passphrase required',
  OperationCanceled: 'Operation canceled', InvalidProperty: 'Invalid property', InvalidService: 'Invalid service',
  AlreadyEnabled: 'Already enabled', AlreadyDisabled: 'Already disabled',
};

export class ConnmanError extends Error {
  /** For Failed, `message` is the strerror() text ConnMan would send (e.g. "Input/output error"). */
  constructor(readonly errorName: ConnmanErrorName, message?: string) {
    super(message ?? (errorName === 'Failed' ? 'Input/output error' : ERROR_MESSAGES[errorName]));
    this.name = 'ConnmanError';
  }
}
