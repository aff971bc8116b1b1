// Debug selection the way connmand's users already do it: `-d` patterns over source file names, and
// ConnMan's CONNMAN_*_DEBUG environment variables, each mapped to the part of Switchyard that does the
// same job. The native engines read SY_DEBUG_* from the environment when they are created, so a pattern
// that names an engine's file turns its packet-level log on too.

/** ConnMan variable -> our source-file patterns that cover the same component. */
const CONNMAN_VARIABLES: Record<string, string[]> = {
  CONNMAN_DHCP_DEBUG: ['ipv4-dhcp', 'dhcp4*', 'acd*', 'ipv4ll*'],
  CONNMAN_DHCPV6_DEBUG: ['dhcp6*', 'ipv6*'],
  CONNMAN_RTNL_DEBUG: ['netlink*', 'link-watch', 'applier', 'routing'],
  CONNMAN_SUPPLICANT_DEBUG: ['supplicant*', 'wifi*'],
  CONNMAN_RESOLV_DEBUG: ['dns*', 'resolv*'],
};

/** Native engine -> the file names whose patterns switch its log on. */
const NATIVE_SWITCHES: Record<string, string[]> = {
  SY_DEBUG_DHCP4: ['dhcp4-runner.cc', 'dhcp4', 'ipv4-dhcp'],
  SY_DEBUG_ACD: ['arp-runner.cc', 'acd', 'ipv4ll'],
  SY_DEBUG_DHCP6: ['dhcp6-runner.cc', 'dhcp6'],
};

function matcher(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * Returns the effective debug patterns (undefined = debug off) and sets the SY_DEBUG_* switches of the
 * native engines in `env` for the patterns that name them.
 */
export function resolveDebug(patterns: string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const all = [...(patterns ?? [])];
  for (const [variable, ours] of Object.entries(CONNMAN_VARIABLES)) if (env[variable]) all.push(...ours);
  if (all.length === 0) return patterns;
  const res = all.map(matcher);
  for (const [switchName, files] of Object.entries(NATIVE_SWITCHES)) {
    if (files.some((f) => res.some((r) => r.test(f)))) env[switchName] = '1';
  }
  return all;
}
