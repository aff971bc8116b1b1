// Command-line parsing for switchyardd, matching connmand 1.41's GOption table: the same long and short
// names, the same argument styles (--opt=value, --opt value, -ovalue, -o value, bundled short flags)
// and the same failure text, so scripts and unit files written for connmand keep working.

export interface DaemonOptions {
  config: string;
  /** debug patterns; undefined = debug off, ['*'] = everything */
  debug?: string[];
  device?: string[];
  nodevice?: string[];
  plugin?: string[];
  noplugin: string[];
  wifi?: string;
  nodaemon: boolean;
  nodnsproxy: boolean;
  nobacktrace: boolean;
  version: boolean;
  help: boolean;
  statedir: string;
  rundir: string;
  resolvConf: string;
  /** --resolv-conf given explicitly; otherwise main.conf ResolvConf may choose */
  resolvConfExplicit: boolean;
}

export class UsageError extends Error {}

type Kind = 'string' | 'optional' | 'flag';
interface OptionSpec {
  long: string;
  short?: string;
  kind: Kind;
  argName?: string;
  help: string;
  apply(o: DaemonOptions, value: string | undefined): void;
}

const splitList = (v: string): string[] => v.split(',').filter((s) => s.length > 0);

export const OPTION_TABLE: readonly OptionSpec[] = [
  { long: 'config', short: 'c', kind: 'string', argName: 'FILE',
    help: 'Load the specified configuration file instead of /etc/connman/main.conf',
    apply: (o, v) => { o.config = v!; } },
  // GOption calls the debug callback once per occurrence; connmand joins them with ','.
  { long: 'debug', short: 'd', kind: 'optional', argName: 'DEBUG', help: 'Specify debug options to enable',
    apply: (o, v) => { o.debug = [...(o.debug ?? []), ...(v === undefined ? ['*'] : splitList(v))]; } },
  { long: 'device', short: 'i', kind: 'string', argName: 'DEV,...', help: 'Specify networking devices or interfaces',
    apply: (o, v) => { o.device = splitList(v!); } },
  { long: 'nodevice', short: 'I', kind: 'string', argName: 'DEV,...', help: 'Specify networking interfaces to ignore',
    apply: (o, v) => { o.nodevice = splitList(v!); } },
  { long: 'plugin', short: 'p', kind: 'string', argName: 'NAME,...', help: 'Specify plugins to load',
    apply: (o, v) => { o.plugin = splitList(v!); } },
  { long: 'noplugin', short: 'P', kind: 'string', argName: 'NAME,...', help: 'Specify plugins not to load',
    apply: (o, v) => { o.noplugin.push(...splitList(v!)); } },
  { long: 'wifi', short: 'W', kind: 'string', argName: 'NAME', help: 'Specify driver for WiFi/Supplicant',
    apply: (o, v) => { o.wifi = v; } },
  { long: 'nodaemon', short: 'n', kind: 'flag', help: "Don't fork daemon to background",
    apply: (o) => { o.nodaemon = true; } },
  { long: 'nodnsproxy', short: 'r', kind: 'flag', help: "Don't support DNS resolving",
    apply: (o) => { o.nodnsproxy = true; } },
  { long: 'nobacktrace', kind: 'flag', help: "Don't print out backtrace information",
    apply: (o) => { o.nobacktrace = true; } },
  { long: 'version', short: 'v', kind: 'flag', help: 'Show version information and exit',
    apply: (o) => { o.version = true; } },
  { long: 'statedir', kind: 'string', argName: 'DIR', help: 'State directory instead of /var/lib/connman',
    apply: (o, v) => { o.statedir = v!; } },
  { long: 'rundir', kind: 'string', argName: 'DIR', help: 'Run-time directory instead of /run/connman',
    apply: (o, v) => { o.rundir = v!; } },
  { long: 'resolv-conf', kind: 'string', argName: 'FILE', help: 'Resolver file to write instead of /etc/resolv.conf',
    apply: (o, v) => { o.resolvConf = v!; o.resolvConfExplicit = true; } },
];

export function defaultOptions(): DaemonOptions {
  return {
    config: '/etc/connman/main.conf', noplugin: [], nodaemon: false, nodnsproxy: false, nobacktrace: false,
    version: false, help: false, statedir: '/var/lib/connman', rundir: '/run/connman',
    resolvConf: '/etc/resolv.conf', resolvConfExplicit: false,
  };
}

/** Parses argv (without node and script). Throws UsageError carrying GLib's message. */
export function parseArgs(argv: readonly string[]): DaemonOptions {
  const o = defaultOptions();
  const byLong = new Map(OPTION_TABLE.map((s) => [s.long, s]));
  const byShort = new Map(OPTION_TABLE.filter((s) => s.short).map((s) => [s.short!, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break; // GOption stops at '--'; what follows is left to the program, which ignores it
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (name === 'help' || name === 'help-all') { o.help = true; continue; }
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`Unknown option ${arg}`);
      if (spec.kind === 'flag') {
        if (eq >= 0) throw new UsageError(`Unknown option ${arg}`);
        spec.apply(o, undefined);
      } else if (eq >= 0) {
        spec.apply(o, arg.slice(eq + 1));
      } else if (spec.kind === 'optional') {
        // An optional argument is only taken from the next word when that word is not an option.
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) { spec.apply(o, next); i++; } else spec.apply(o, undefined);
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`Missing argument for --${name}`);
        spec.apply(o, argv[++i]);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j];
        if (ch === 'h' || ch === '?') { o.help = true; continue; }
        const spec = byShort.get(ch);
        if (!spec) throw new UsageError(`Unknown option -${ch}`);
        if (spec.kind === 'flag') { spec.apply(o, undefined); continue; }
        const rest = arg.slice(j + 1);
        if (rest.length > 0) { spec.apply(o, rest); break; }
        if (spec.kind === 'optional') {
          const next = argv[i + 1];
          if (next !== undefined && !next.startsWith('-')) { spec.apply(o, next); i++; } else spec.apply(o, undefined);
          break;
        }
        if (i + 1 >= argv.length) throw new UsageError(`Missing argument for -${ch}`);
        spec.apply(o, argv[++i]);
        break;
      }
      continue;
    }
    // GOption leaves plain words in argv and connmand ignores them; so do we.
  }
  return o;
}

export function helpText(prog = 'switchyardd'): string {
  const rows: [string, string][] = [];
  for (const s of OPTION_TABLE) {
    const arg = s.kind === 'flag' ? '' : `=${s.argName}`;
    rows.push([`${s.short ? `-${s.short}, ` : ''}--${s.long}${arg}`, s.help]);
  }
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    'Usage:', `  ${prog} [OPTION?]`, '', 'Help Options:', `  ${'-h, --help'.padEnd(width)}Show help options`, '',
    'Application Options:', ...rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`), '',
  ].join('\n');
}
