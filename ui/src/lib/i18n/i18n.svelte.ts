import { translate, type Key, type Lang } from './translate';

export const i18n = $state<{ lang: Lang }>({ lang: 'sv' });

/** Translates in the current language; reactive inside components. */
export function t(key: Key, params?: Record<string, string | number>): string {
  return translate(i18n.lang, key, params);
}

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  document.documentElement.lang = lang;
}
