// Minimal logger with connmand-style debug patterns (-d): a pattern matches our source file names.
export interface Logger {
  debug(file: string, msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(debugPatterns: string[] | undefined, out: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const res = (debugPatterns ?? []).map((p) => new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$'));
  const enabled = (file: string) => res.some((r) => r.test(file) || r.test(file + '.ts') || r.test(`src/${file}.c`));
  return {
    debug: (file, msg) => { if (enabled(file)) out(`switchyardd: ${file}: ${msg}`); },
    info: (msg) => out(`switchyardd: ${msg}`),
    warn: (msg) => out(`switchyardd: warning: ${msg}`),
    error: (msg) => out(`switchyardd: error: ${msg}`),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
