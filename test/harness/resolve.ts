// DNS lookups from inside a lab namespace, through dns-query.js, so the query takes the same path an
// application on the device would.
import { join } from 'node:path';
import { run } from './proc';

export interface DnsResult {
  rcode?: number;
  addresses?: string[];
  error?: string;
}

export async function resolveIn(ns: string, server: string, name: string, timeoutMs = 3000): Promise<DnsResult> {
  const script = join(__dirname, 'dns-query.js');
  const r = await run(['ip', 'netns', 'exec', ns, process.execPath, script, server, name, String(timeoutMs)],
    { timeoutMs: timeoutMs + 5000 });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as DnsResult;
  } catch {
    return { error: r.stderr.trim() || `no output (exit ${r.code})` };
  }
}
