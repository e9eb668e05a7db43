// Helpers for the absence screens: percentages, trend words, which import
// roles are required, an import's problems in words, and the trend
// chart's lines along its time axis.

import type { ChartWeek } from './bindings/ChartWeek';
import type { Intervention } from './bindings/Intervention';
import type { LineNote } from './bindings/LineNote';
import type { Role } from './bindings/Role';
import type { WeekFigures } from './bindings/WeekFigures';
import { translate, type Lang } from './i18n/translate';
import { known, worded } from './words';

export const ROLES: readonly Role[] = ['personnummer', 'week', 'year', 'from', 'to', 'scheduled', 'valid', 'invalid'];

/** Roles a file must have (a period is `week` or `from`). */
export function missingRoles(found: readonly Role[]): Role[] {
  const has = new Set(found);
  const missing: Role[] = [];
  for (const r of ['personnummer', 'scheduled', 'valid', 'invalid'] as const) if (!has.has(r)) missing.push(r);
  if (!has.has('week') && !has.has('from')) missing.push('week');
  return missing;
}

/** An import's problem or note in `lang`; a role or unit in it is worded too. */
export function importNote(n: Pick<LineNote, 'code' | 'params' | 'message'>, lang: Lang): string {
  const { column, role, unit, ...rest } = n.params;
  const params: Record<string, string> = { ...rest };
  if (role !== undefined) params.role = worded(`import.role_${role}`, {}, role, lang);
  if (unit !== undefined) params.unit = worded(`import.unit_${unit}`, {}, unit, lang);
  const key = `import.note.${n.code}`;
  // Without words for the code, the core's English names its column itself.
  if (!known(key)) return n.message;
  const said = worded(key, params, n.message, lang);
  return column === undefined ? said : `${translate(lang, 'import.in_column', { column })}: ${said}`;
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

/** One line of the chart along the time axis: null in a week without
 * figures, so the line breaks there rather than claiming 0 % absence. */
export function line(axis: readonly ChartWeek[], value: (w: WeekFigures) => number | null): (number | null)[] {
  return axis.map((w) => (w.figures ? value(w.figures) : null));
}

/** The interventions in the week starting `weekStart`. */
export function interventionsIn(interventions: readonly Intervention[], weekStart: string): Intervention[] {
  return interventions.filter((m) => m.week_start === weekStart);
}

/** The tick of the axis' week `i`: `W41`, with the (ISO) year on the first
 * week and where a new year begins, so week 1 after week 52 reads right. */
export function weekTick(axis: readonly ChartWeek[], i: number): string {
  const week = axis[i]?.week ?? '';
  const previous = axis[i - 1]?.week;
  return previous?.slice(0, 4) === week.slice(0, 4) ? week.slice(5) : week;
}
