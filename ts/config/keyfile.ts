// A reader and writer for the GLib key-file format that ConnMan uses for main.conf and its state files.
// Comments and blank lines are kept with the entry that follows them so a rewrite of a hand-edited file
// does not lose the operator's notes. Values are stored raw (escaped) and decoded on access, as GKeyFile does.

export class KeyFileError extends Error {
  constructor(readonly line: number, readonly detail: string) {
    super(`line ${line}: ${detail}`);
  }
}

interface Entry { key: string; raw: string; comments: string[] }
interface Group { name: string; entries: Entry[]; comments: string[] }

export class KeyFile {
  private groups: Group[] = [];
  private trailing: string[] = [];

  constructor(private readonly listSeparator = ';') {}

  static parse(text: string, listSeparator = ';'): KeyFile {
    const kf = new KeyFile(listSeparator);
    let pending: string[] = [];
    let current: Group | undefined;
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    lines.forEach((rawLine, i) => {
      const line = rawLine.replace(/\r$/, '');
      const trimmed = line.trimStart();
      if (trimmed === '' || trimmed.startsWith('#')) { pending.push(line); return; }
      if (trimmed.startsWith('[')) {
        const end = trimmed.indexOf(']');
        if (end < 0 || trimmed.slice(end + 1).trim() !== '') throw new KeyFileError(i + 1, `invalid group header "${line}"`);
        const name = trimmed.slice(1, end);
        if (name === '' || /[\[\]]/.test(name)) throw new KeyFileError(i + 1, `invalid group name "${name}"`);
        current = kf.groups.find((g) => g.name === name);
        if (!current) { current = { name, entries: [], comments: pending }; kf.groups.push(current); }
        pending = [];
        return;
      }
      const eq = line.indexOf('=');
      if (eq < 0) throw new KeyFileError(i + 1, `key file contains line "${line}" which is not a key-value pair, group, or comment`);
      if (!current) throw new KeyFileError(i + 1, 'key file does not start with a group');
      const key = line.slice(0, eq).trim();
      if (key === '') throw new KeyFileError(i + 1, `empty key name in "${line}"`);
      const raw = line.slice(eq + 1).replace(/^[ \t]+/, '');
      const existing = current.entries.find((e) => e.key === key);
      // GKeyFile keeps the last of duplicate keys.
      if (existing) existing.raw = raw;
      else current.entries.push({ key, raw, comments: pending });
      pending = [];
    });
    kf.trailing = pending;
    return kf;
  }

  toString(): string {
    const out: string[] = [];
    this.groups.forEach((g, gi) => {
      if (gi > 0 && g.comments.length === 0) out.push('');
      out.push(...g.comments, `[${g.name}]`);
      for (const e of g.entries) out.push(...e.comments, `${e.key}=${e.raw}`);
    });
    out.push(...this.trailing);
    return out.length ? out.join('\n') + '\n' : '';
  }

  groupNames(): string[] { return this.groups.map((g) => g.name); }
  hasGroup(group: string): boolean { return this.groups.some((g) => g.name === group); }
  keys(group: string): string[] { return this.findGroup(group)?.entries.map((e) => e.key) ?? []; }
  hasKey(group: string, key: string): boolean { return this.getRaw(group, key) !== undefined; }

  removeGroup(group: string): void { this.groups = this.groups.filter((g) => g.name !== group); }
  removeKey(group: string, key: string): void {
    const g = this.findGroup(group);
    if (g) g.entries = g.entries.filter((e) => e.key !== key);
  }

  getRaw(group: string, key: string): string | undefined {
    return this.findGroup(group)?.entries.find((e) => e.key === key)?.raw;
  }
  setRaw(group: string, key: string, raw: string): void {
    let g = this.findGroup(group);
    if (!g) { g = { name: group, entries: [], comments: [] }; this.groups.push(g); }
    const e = g.entries.find((x) => x.key === key);
    if (e) e.raw = raw; else g.entries.push({ key, raw, comments: [] });
  }

  getString(group: string, key: string): string | undefined {
    const raw = this.getRaw(group, key);
    return raw === undefined ? undefined : unescapeValue(raw);
  }
  setString(group: string, key: string, value: string): void { this.setRaw(group, key, escapeValue(value, '')); }

  /** GKeyFile's boolean: only true/false/1/0 are accepted; anything else is an error. */
  getBoolean(group: string, key: string): boolean | undefined {
    const raw = this.getRaw(group, key);
    if (raw === undefined) return undefined;
    const v = raw.trimEnd();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new Error(`key "${key}" in group "${group}" has value "${raw}" which cannot be interpreted as a boolean`);
  }
  setBoolean(group: string, key: string, value: boolean): void { this.setRaw(group, key, value ? 'true' : 'false'); }

  getInteger(group: string, key: string): number | undefined {
    const raw = this.getRaw(group, key);
    if (raw === undefined) return undefined;
    const v = raw.trim();
    if (!/^[+-]?\d+$/.test(v)) throw new Error(`key "${key}" in group "${group}" has value "${raw}" which cannot be interpreted as a number`);
    return parseInt(v, 10);
  }
  setInteger(group: string, key: string, value: number): void { this.setRaw(group, key, String(Math.trunc(value))); }

  getStringList(group: string, key: string): string[] | undefined {
    const raw = this.getRaw(group, key);
    if (raw === undefined) return undefined;
    const items: string[] = [];
    let cur = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i];
      if (ch === '\\' && i + 1 < raw.length) { cur += ch + raw[++i]; continue; }
      if (ch === this.listSeparator) { items.push(unescapeValue(cur)); cur = ''; continue; }
      cur += ch;
    }
    if (cur !== '') items.push(unescapeValue(cur));
    return items;
  }
  setStringList(group: string, key: string, values: readonly string[]): void {
    this.setRaw(group, key, values.map((v) => escapeValue(v, this.listSeparator) + this.listSeparator).join(''));
  }

  private findGroup(name: string): Group | undefined { return this.groups.find((g) => g.name === name); }
}

export function unescapeValue(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch !== '\\' || i + 1 >= raw.length) { out += ch; continue; }
    const n = raw[++i];
    switch (n) {
      case 's': out += ' '; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      default: out += n; break; // GKeyFile keeps escaped separators (\;) as the bare character
    }
  }
  return out;
}

/**
 * GKeyFile's escaping: spaces and tabs are escaped only while still leading (at the start, or right after
 * an escaped list separator), newline, CR and backslash always, the separator only inside lists.
 */
export function escapeValue(value: string, separator: string): string {
  let out = '';
  let leading = true;
  for (const ch of value) {
    if (ch === ' ') out += leading ? '\\s' : ' ';
    else if (ch === '\t') out += leading ? '\\t' : '\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') { out += '\\\\'; leading = false; }
    else if (separator && ch === separator) { out += '\\' + ch; leading = true; }
    else { out += ch; leading = false; }
  }
  return out;
}
