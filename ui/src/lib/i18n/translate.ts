// The i18n layer: every string the UI shows comes from a dictionary here.
// Swedish is the default; English is complete (a unit test checks that both
// have the same keys and the same {placeholders}).

import { sv } from './sv';
import { en } from './en';

export type Lang = 'sv' | 'en';
export type Key = keyof typeof sv;
export type Dictionary = Record<Key, string>;

export const dictionaries: Record<Lang, Dictionary> = { sv, en };
export const LANGS: readonly Lang[] = ['sv', 'en'];

export function translate(
  lang: Lang,
  key: Key,
  params: Record<string, string | number> = {},
): string {
  const template = dictionaries[lang][key] ?? dictionaries.sv[key] ?? key;
  return template.replace(/\{(\w+)\}/gu, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** The {placeholders} a template uses, sorted. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/gu)].map((m) => m[1] ?? '').sort();
}
