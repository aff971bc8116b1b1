// GLib's g_strescape / g_strcompress, byte for byte. ConnMan runs passphrases through g_strescape before
// handing them to GKeyFile (which escapes backslashes again), so a state file written by connmand holds
// e.g. `\\303\\251` for "é". Both directions work on UTF-8 bytes, as the C functions do.

const NAMED: Record<number, string> = { 0x08: 'b', 0x0c: 'f', 0x0a: 'n', 0x0d: 'r', 0x09: 't', 0x0b: 'v', 0x5c: '\\', 0x22: '"' };
const UNNAMED: Record<string, number> = { b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** Named C escapes for the usual controls, backslash and quote; octal `\ooo` for other bytes < 0x20 or >= 0x7f. */
export function gStrescape(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const named = NAMED[b];
    if (named !== undefined) out += '\\' + named;
    else if (b < 0x20 || b >= 0x7f) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * The inverse: 1 to 3 octal digits give one byte (truncated to 8 bits, as in C), named escapes give their
 * control, any other escaped character stands for itself, a trailing lone backslash ends the string, and a
 * NUL byte ends it too (the C string stops there).
 */
export function gStrcompress(escaped: string): string {
  const src = Buffer.from(escaped, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c !== 0x5c) { out.push(c); continue; }
    i++;
    if (i >= src.length) break;
    const n = src[i];
    if (n >= 0x30 && n <= 0x37) {
      let v = 0;
      let k = 0;
      while (k < 3 && i < src.length && src[i] >= 0x30 && src[i] <= 0x37) { v = v * 8 + (src[i] - 0x30); i++; k++; }
      i--;
      out.push(v & 0xff);
      continue;
    }
    const named = UNNAMED[String.fromCharCode(n)];
    out.push(named ?? n);
  }
  const nul = out.indexOf(0);
  return Buffer.from(nul >= 0 ? out.slice(0, nul) : out).toString('utf8');
}
