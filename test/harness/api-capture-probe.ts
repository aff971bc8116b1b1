// Regenerates test/fixtures/connmand-1.41-api/probe.json from connmand 1.41 in a lab (root).
// Usage: node dist/test/harness/api-capture-probe.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_FIXTURE_DIR, probeDaemon } from './api-probe';

probeDaemon('connmand').then((rows) => {
  writeFileSync(join(API_FIXTURE_DIR, 'probe.json'), JSON.stringify(rows, null, 1) + '\n');
  process.stdout.write(`${rows.length} rows\n`);
}).catch((e) => { process.stderr.write(`${(e as Error).message}\n`); process.exit(1); });
