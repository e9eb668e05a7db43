// Words for what the core says as a code with parameters (a quarantine
// reason, a failed sync, an import problem): the UI words it in the
// user's language, and falls back to the core's English where this build
// has no words for a code yet (one from a newer core).

import { dictionaries, translate, type Key, type Lang } from './i18n/translate';

export function known(key: string): key is Key {
  return key in dictionaries.sv;
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** `key` filled with `params`, or `fallback` when there are no words for `key`. */
export function worded(key: string, params: Record<string, unknown>, fallback: string, lang: Lang): string {
  if (!known(key)) return fallback;
  return translate(lang, key, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, text(v)])));
}
