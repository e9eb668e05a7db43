// Words for what the core says as a code with parameters (an error and
// the rule it broke, a quarantine reason, a failed sync, an import
// problem): the UI words it in the user's language, and falls back to the
// core's English where this build has no words for a code yet (one from a
// newer core).

import { dictionaries, translate, type Key, type Lang } from './i18n/translate';
import type { Form } from './bindings/Form';
import { FIELD_LABELS } from './caseForms';

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

/** The rule a refused input or action broke (`params.reason`, a core
 *  ReasonCode or a ShellReason), in `lang`; '' when there is none, and
 *  `fallback` for a reason this build has no words for. */
export function reasonWords(params: Record<string, unknown>, fallback: string, lang: Lang): string {
  const reason = typeof params.reason === 'string' ? params.reason : '';
  if (reason === '') return '';
  if (reason === 'form-field') {
    const form = text(params.form) as Form;
    const label = FIELD_LABELS[form]?.[text(params.field)] ?? '';
    const problem = `form.problem_${text(params.problem)}`;
    if (!known(label) || !known(problem)) return fallback;
    return translate(lang, 'reason.form-field', { field: translate(lang, label), problem: translate(lang, problem) });
  }
  // The import's words for a personnummer's flaw say exactly which rule.
  const flaw = `import.note.personnummer-${text(params.flaw)}`;
  if (reason === 'personnummer' && known(flaw)) return translate(lang, flaw);
  return worded(`reason.${reason}`, params, fallback, lang);
}

/** An error from the shell, or why a sync failed, in `lang`: its code's
 *  words, then the rule it broke. The English message is for the logs. */
export function errorWords(
  e: { code: string; params: Record<string, unknown>; message: string },
  lang: Lang,
): string {
  const base = worded(`error.${e.code}`, e.params, e.message, lang);
  const reason = reasonWords(e.params, e.message, lang);
  return reason === '' ? base : `${base} ${reason}`;
}
