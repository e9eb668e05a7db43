// Words for what the sync panel lists: the core hands over stable codes
// (a quarantine reason and its parameters, why the last sync failed, an
// operation type, the kind of object a conflict is on) and the UI words
// them in the user's language. A code this build has no words for yet
// falls back to the core's English.

import { translate, type Lang } from './i18n/translate';
import type { QuarantinedOp } from './bindings/QuarantinedOp';
import type { SyncFailure } from './bindings/SyncFailure';
import { errorWords, known, reasonWords, worded } from './words';

/** Why an operation is in quarantine, in `lang`: the code's words with
 *  the object or operation type it names worded too, then the rule of
 *  the core it broke. What the server or SQLite said is only a technical
 *  `detail`, shown apart. */
export function quarantineReason(q: Pick<QuarantinedOp, 'code' | 'params' | 'reason'>, lang: Lang): string {
  const what = typeof q.params.what === 'string' ? q.params.what : '';
  const params = {
    ...q.params,
    what: q.code === 'newer-format' ? operationName(what, lang) : objectName(what.replaceAll(' ', '-'), lang),
  };
  const said = worded(`quarantine.${q.code}`, params, q.reason, lang);
  const reason = reasonWords(q.params, '', lang);
  return reason === '' ? said : `${said} ${reason}`;
}

/** Why the last sync failed, in `lang`: the same words as for a failed "sync now". */
export function syncFailure(f: SyncFailure, lang: Lang): string {
  return errorWords(f, lang);
}

/** An operation type (`entry-signed`) as a reader names it. */
export function operationName(type: string, lang: Lang): string {
  const key = `op.${type}`;
  return known(key) ? translate(lang, key) : type;
}

/** What a conflict is on (`entry`, `guardian` …). */
export function objectName(type: string, lang: Lang): string {
  const key = `object.${type}`;
  return known(key) ? translate(lang, key) : type;
}

/** The field of a conflict (`guardian`, `phone`). */
export function fieldName(objectType: string, field: string, lang: Lang): string {
  const key = `field_of.${objectType}.${field}`;
  return known(key) ? translate(lang, key) : field;
}

/** A conflict's value as a reader sees it: an action's status is a code. */
export function conflictValue(objectType: string, value: string | null, lang: Lang): string {
  if (value === null || value === '') return translate(lang, 'sync.empty_value');
  const key = `plan.status_${value}`;
  return objectType === 'plan-action' && known(key) ? translate(lang, key) : value;
}
