// Prints the rows where Switchyard differs from the connmand 1.41 capture (for maintaining
// known-differences.txt). Usage (root): node dist/test/harness/api-probe-compare.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_FIXTURE_DIR, ProbeRow, probeDaemon } from './api-probe';

probeDaemon('switchyard').then((actual) => {
  const expected = JSON.parse(readFileSync(join(API_FIXTURE_DIR, 'probe.json'), 'utf8')) as ProbeRow[];
  for (const e of expected) {
    const a = actual.find((r) => r.label === e.label);
    if (JSON.stringify(a) === JSON.stringify(e)) continue;
    process.stdout.write(`${e.label}\n  connmand:   ${e.error ?? JSON.stringify(e.reply)}\n  switchyard: ${a ? a.error ?? JSON.stringify(a.reply) : '(missing)'}\n`);
  }
}).catch((e) => { process.stderr.write(`${(e as Error).message}\n`); process.exit(1); });
