// Sessions at scale (issue 9 asks for 100): not measured, because Switchyard does not implement the
// Session API yet (Manager.CreateSession answers NotSupported, ts/dbus/manager-iface.ts). This script
// keeps that statement in BENCHMARKS.md, and checks it: once CreateSession is implemented, it fails,
// so the placeholder cannot outlive the reason for it.
// Usage: node dist/bench/sessions.js [--no-write]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench, REPO_ROOT, standalone } from './lib';

export const bench: Bench = {
  id: 'sessions',
  async run() {
    const iface = readFileSync(join(REPO_ROOT, 'ts', 'dbus', 'manager-iface.ts'), 'utf8');
    if (!/name: 'CreateSession'[^\n]*handler: unsupported/.test(iface)) {
      throw new Error('CreateSession is implemented now: write the 100-session benchmark in bench/sessions.ts');
    }
    return `## Sessions at scale (100 sessions)

Not measured: Session API not implemented yet. Switchyard's Manager.CreateSession answers
\`net.connman.Error.NotSupported\` (ts/dbus/manager-iface.ts), so there is nothing to time against
connmand's sessions. bench/sessions.ts fails once CreateSession is implemented, so this line cannot
outlive the reason for it.`;
  },
};

if (require.main === module) standalone(bench);
