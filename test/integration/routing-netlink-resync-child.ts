// Runs INSIDE a fresh network namespace (routing-netlink-resync.test.ts starts it with `ip netns exec`):
// keeps a view of every route and rule from the native monitor's dump and events, buries the monitor
// under more route and rule changes than its socket buffer holds while the JS loop is blocked, and
// reports whether the view still equals the kernel's tables. Prints one JSON line.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNativePlatform } from '../../ts/platform/native';
import type { RouteInfo, RuleInfo } from '../../ts/platform/types';

const TABLE = 100;
const ROUTES = 20000;
const RULES = 1000;

const sh = (...argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
const routeKey = (r: { dst: string; prefixLength: number; table: number }) => `${r.table} ${r.dst || 'default'}/${r.prefixLength}`;
const ruleKey = (r: { priority: number; table: number }) => `${r.priority} ${r.table}`;

function kernelRoutes(): string[] {
  const rows = JSON.parse(sh('ip', '-4', '-j', 'route', 'show', 'table', String(TABLE))) as { dst: string }[];
  return rows.map((r) => {
    const [dst, len] = r.dst === 'default' ? ['', '0'] : r.dst.includes('/') ? r.dst.split('/') : [r.dst, '32'];
    return routeKey({ dst, prefixLength: Number(len), table: TABLE });
  }).sort();
}

function kernelRules(): string[] {
  const rows = JSON.parse(sh('ip', '-4', '-j', 'rule', 'show')) as { priority: number; table: string }[];
  const num = (t: string) => ({ local: 255, main: 254, default: 253 } as Record<string, number>)[t] ?? Number(t);
  return rows.map((r) => ruleKey({ priority: r.priority, table: num(r.table) })).sort();
}

function batch(lines: string[]): void {
  const file = path.join(os.tmpdir(), `sy-resync-${process.pid}`);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  try { sh('ip', '-batch', file); } finally { fs.rmSync(file, { force: true }); }
}

async function settle(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

async function main(): Promise<Record<string, unknown>> {
  sh('ip', 'link', 'add', 'sy-rs0', 'type', 'veth', 'peer', 'name', 'sy-rs1');
  sh('ip', 'link', 'set', 'sy-rs0', 'up');
  sh('ip', 'link', 'set', 'sy-rs1', 'up');
  sh('ip', 'addr', 'add', '10.99.0.2/16', 'dev', 'sy-rs0');
  sh('ip', 'route', 'add', '10.98.0.0/16', 'dev', 'sy-rs0', 'table', String(TABLE)); // the table must exist to be listed

  const platform = createNativePlatform();
  const nl = platform.netlink;
  const routes = new Map<string, RouteInfo>();
  const rules = new Map<string, RuleInfo>();
  nl.onRoute((ev) => {
    if (ev.route.family !== 4 || ev.route.table !== TABLE) return;
    if (ev.type === 'new') routes.set(routeKey(ev.route), ev.route); else routes.delete(routeKey(ev.route));
  });
  nl.onRule((ev) => {
    if (ev.rule.family !== 4) return;
    if (ev.type === 'new') rules.set(ruleKey(ev.rule), ev.rule); else rules.delete(ruleKey(ev.rule));
  });
  nl.start();
  for (const r of nl.listRoutes(4, TABLE)) routes.set(routeKey(r), r);
  for (const r of nl.listRules(4)) rules.set(ruleKey(r), r);
  const view = () => ({ routes: [...routes.keys()].sort().join(), rules: [...rules.keys()].sort().join() });
  const same = () => view().routes === kernelRoutes().join() && view().rules === kernelRules().join();
  const out: Record<string, unknown> = { initialSame: same() };

  // Adds while the loop is blocked in execFileSync: thousands of RTM_NEWROUTE and RTM_NEWRULE queue up.
  const adds: string[] = [];
  for (let i = 0; i < ROUTES; i++) adds.push(`route add 172.${16 + (i >> 8)}.${i & 255}.0/24 via 10.99.0.1 dev sy-rs0 table ${TABLE}`);
  for (let i = 0; i < RULES; i++) adds.push(`rule add from 192.168.${i >> 8}.${i & 255} lookup ${TABLE} priority ${20000 + i}`);
  batch(adds);
  out.afterAdd = await settle(same, 10000);
  out.overrunsAfterAdd = nl.diagnostics().overruns;
  out.routesAfterAdd = routes.size;
  out.rulesAfterAdd = [...rules.values()].filter((r) => r.priority >= 20000 && r.priority < 20000 + RULES).length;

  // Deletes likewise, plus a default route swapped in place (NLM_F_REPLACE): the view must end with
  // the new gateway and none of the deleted rows.
  const dels: string[] = [];
  for (let i = 0; i < ROUTES; i += 2) dels.push(`route del 172.${16 + (i >> 8)}.${i & 255}.0/24 table ${TABLE}`);
  for (let i = 0; i < RULES; i += 2) dels.push(`rule del priority ${20000 + i}`);
  dels.push(`route replace default via 10.99.0.1 dev sy-rs0 table ${TABLE}`, `route replace default via 10.99.0.9 dev sy-rs0 table ${TABLE}`);
  batch(dels);
  out.afterDel = await settle(same, 10000);
  out.routesAfterDel = routes.size;
  out.defaultGateway = routes.get(routeKey({ dst: '', prefixLength: 0, table: TABLE }))?.gateway;
  out.overruns = nl.diagnostics().overruns;
  if (!out.afterDel) out.diff = { view: view(), kernelRoutes: kernelRoutes().length, kernelRules: kernelRules().length };
  nl.stop();
  return out;
}

main().then(
  (result) => process.stdout.write(JSON.stringify({ ok: true, result }) + '\n'),
  (e) => { process.stdout.write(JSON.stringify({ ok: false, error: (e as Error).stack ?? String(e) }) + '\n'); process.exit(1); },
);
