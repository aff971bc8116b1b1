// Reading connmanctl's text output, and masking per-run values so two runs can be compared.

export interface ServiceLine {
  favorite: boolean;
  autoconnect: boolean;
  state: 'ready' | 'online' | 'association' | 'configuration' | 'failure' | 'idle' | 'other';
  name: string;
  id: string;
}

// connmanctl prints "<*><A><state letter> <name padded to 20> <id>"; the state letter is
// R ready, O online, a association, c configuration, f failure, blank otherwise.
const STATE_LETTERS: Record<string, ServiceLine['state']> = {
  R: 'ready', O: 'online', a: 'association', c: 'configuration', f: 'failure', ' ': 'idle',
};

export function parseServices(text: string): ServiceLine[] {
  const out: ServiceLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const id = line.trim().split(/\s+/).pop() ?? '';
    out.push({
      favorite: line[0] === '*',
      autoconnect: line[1] === 'A',
      state: STATE_LETTERS[line[2]] ?? 'other',
      name: line.slice(4, line.length - id.length).trim(),
      id,
    });
  }
  return out;
}

/** Masks that make two labs' outputs comparable: what differs per run, and nothing else. */
export function maskRunValues(text: string, lab: { mac: string; tag: string }): string {
  const macHex = lab.mac.replace(/:/g, '');
  return (lab.tag ? text.replaceAll(lab.tag, '<lab>') : text)
    .replace(new RegExp(macHex, 'gi'), '<mac>')
    .replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi, '<MAC>')
    .replace(/\bethernet_[0-9a-f]{12}_/g, 'ethernet_<mac>_')
    .replace(/\b10\.233\.83\.(5\d|[6-9]\d|1[0-4]\d|150)\b/g, '<lease>')
    .replace(/\bfe80::[0-9a-f:]+/gi, '<ll6>')
    // Interface names are fixed by the lab (eth0/far0), so only the peer index suffix varies.
    .replace(/@if\d+\b/g, '@if<n>')
    .replace(/^\d+: /gm, '<ifindex>: ')
    .replace(/\bindex \d+/g, 'index <n>');
}
