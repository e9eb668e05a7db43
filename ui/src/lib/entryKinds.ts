// The kinds of journal entry and their fields: the core's own table
// (generated into bindings/entryRules.ts), and the form's checks of a
// draft against it before the shell is called (the core checks again).

import type { EntryKind } from './bindings/EntryKind';
import type { FieldRule } from './bindings/FieldRule';
import { ENTRY_RULES } from './bindings/entryRules';

export type FieldSpec = FieldRule;
export type FieldInput = FieldRule['input'];

export const KINDS: readonly EntryKind[] = ENTRY_RULES.map((r) => r.kind);

function fieldsByKind(): Record<EntryKind, readonly FieldSpec[]> {
  const byKind = {} as Record<EntryKind, readonly FieldSpec[]>;
  for (const r of ENTRY_RULES) byKind[r.kind] = r.fields;
  return byKind;
}

export const KIND_FIELDS = fieldsByKind();

/** The minutes of a meeting hold each plan action's result under
 *  `result:<action id>` (the core's entry_fields::RESULT_PREFIX). */
export const RESULT_PREFIX = 'result:';

const TEXT_REQUIRED = new Set(ENTRY_RULES.filter((r) => r.text_required).map((r) => r.kind));

/** The check-in board's keys mark these (checkin.ts); a unit test holds
 *  them to the core's options for the field. */
export type Arrival = 'arrived' | 'late' | 'not-seen';

function options(kind: EntryKind, key: string): readonly string[] {
  const input = KIND_FIELDS[kind].find((f) => f.key === key)?.input;
  return input?.type === 'choice' ? input.options : [];
}

export const ARRIVALS = options('morning-checkin', 'arrival') as readonly Arrival[];

export function textRequired(kind: EntryKind): boolean {
  return TEXT_REQUIRED.has(kind);
}

export type FieldProblem = 'required' | 'choice' | 'minutes' | 'time';

function inputProblem(input: FieldInput, value: string): FieldProblem | null {
  switch (input.type) {
    case 'choice':
      return input.options.includes(value) ? null : 'choice';
    case 'minutes': {
      const ok = /^\d+$/u.test(value) && Number(value) >= input.min && Number(value) <= input.max;
      return ok ? null : 'minutes';
    }
    case 'time':
      return /^([01]\d|2[0-3]):[0-5]\d$/u.test(value) ? null : 'time';
    default:
      return null;
  }
}

/** The field of an apartment session that names a step of the ladder. */
export const STEP_FIELD = 'step';
/** The field that names the session of the case's programme an entry records. */
export const SESSION_FIELD = 'programme_session';

/** What the case brings to its entry form: the ladder's steps in force
 *  (null until known: the generated table's built-in ones stand) and its
 *  programme's session numbers (null: no programme, no such field). */
export interface CaseChoices {
  steps: readonly string[] | null;
  sessions: readonly string[] | null;
}

const choice = (f: FieldSpec, options: readonly string[]): FieldSpec => ({ ...f, input: { type: 'choice', options: [...options] } });

/** The fields of a kind for this case: the step offers the steps in
 *  force, the programme session the case's sessions. */
export function fieldsOf(kind: EntryKind, c: CaseChoices): readonly FieldSpec[] {
  return KIND_FIELDS[kind].flatMap((f) => {
    if (f.key === SESSION_FIELD) return c.sessions === null ? [] : [choice(f, c.sessions)];
    if (f.key === STEP_FIELD && c.steps !== null) return [choice(f, c.steps)];
    return [f];
  });
}

/** Problems per field key (and 'text'), empty when the entry may be saved. */
export function entryProblems(
  kind: EntryKind,
  fields: Record<string, string>,
  body: string,
  c: CaseChoices = { steps: null, sessions: null },
): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const spec of fieldsOf(kind, c)) {
    const value = (fields[spec.key] ?? '').trim();
    const problem = value === '' ? (spec.required ? 'required' : null) : inputProblem(spec.input, value);
    if (problem) problems[spec.key] = problem;
  }
  if (textRequired(kind) && body.trim() === '') problems.text = 'required';
  return problems;
}

/** Only the fields of this kind, without empty optional values. */
export function cleanFields(kind: EntryKind, fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of KIND_FIELDS[kind]) {
    const value = (fields[spec.key] ?? '').trim();
    if (value !== '') out[spec.key] = value;
  }
  return out;
}
