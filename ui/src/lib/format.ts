// Dates and times as the therapist reads them.

import type { Lang } from './i18n/translate';

const locales: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB' };

export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A calendar date, YYYY-MM-DD, shown without shifting time zones. */
export function formatDate(day: string | null | undefined, lang: Lang): string {
  if (!day) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(day);
  if (!m) return day;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Intl.DateTimeFormat(locales[lang], { dateStyle: 'medium' }).format(d);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Value for <input type="datetime-local"> from a Date (local time). */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** RFC 3339 with the local offset from a datetime-local value. */
export function localInputToRfc3339(value: string): string | null {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${value.length === 16 ? `${value}:00` : value}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** HH:MM now. */
export function clockNow(d = new Date()): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Splits a search snippet ("… the [word] …") into plain and marked parts. */
export function snippetParts(snippet: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  const re = /\[([^\]]*)\]/gu;
  let last = 0;
  for (const m of snippet.matchAll(re)) {
    if (m.index > last) out.push({ text: snippet.slice(last, m.index), mark: false });
    out.push({ text: m[1] ?? '', mark: true });
    last = m.index + m[0].length;
  }
  if (last < snippet.length) out.push({ text: snippet.slice(last), mark: false });
  return out;
}
