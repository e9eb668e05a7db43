// Helpers for the absence screens: percentages, trend words, and which
// import roles are required.

import type { Role } from './bindings/Role';

export const ROLES: readonly Role[] = ['personnummer', 'week', 'year', 'from', 'to', 'scheduled', 'valid', 'invalid'];

/** Roles a file must have (a period is `week` or `from`). */
export function missingRoles(found: readonly Role[]): Role[] {
  const has = new Set(found);
  const missing: Role[] = [];
  for (const r of ['personnummer', 'scheduled', 'valid', 'invalid'] as const) if (!has.has(r)) missing.push(r);
  if (!has.has('week') && !has.has('from')) missing.push('week');
  return missing;
}

/** The header cells of a CSV file's first non-blank line. */
export function headerCells(text: string, separator: string | null): string[] {
  const line = text.replace(/^\uFEFF/u, '').split(/\r?\n/u).find((l) => l.replace(/[;,\t\s]/gu, '') !== '') ?? '';
  const sep = separator ?? ([';', '\t', ','].map((s) => [s, line.split(s).length] as const).sort((a, b) => b[1] - a[1])[0]?.[0] ?? ';');
  return line
    .split(sep)
    .map((c) => c.trim().replace(/^"(.*)"$/u, '$1').trim())
    .filter((c) => c !== '');
}

export function pct(n: number | null | undefined, lang: 'sv' | 'en'): string {
  if (n == null) return '–';
  return `${n.toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} %`;
}
