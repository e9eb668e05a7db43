// The kinds of journal entry and their fields, as in docs/entry-kinds.md
// and crates/core/src/entry_fields.rs (the core checks them again).

import type { EntryKind } from './bindings/EntryKind';

export type FieldInput =
  | { type: 'text' }
  | { type: 'longtext' }
  | { type: 'choice'; options: readonly string[] }
  | { type: 'minutes' }
  | { type: 'time' };

export interface FieldSpec {
  key: string;
  required: boolean;
  input: FieldInput;
}

export const KINDS: readonly EntryKind[] = [
  'home-visit',
  'morning-checkin',
  'apartment-session',
  'consultation',
  'collaboration-meeting',
  'phone-call',
  'note',
];

export const ARRIVALS = ['arrived', 'late', 'not-seen'] as const;
export type Arrival = (typeof ARRIVALS)[number];

const text = { type: 'text' } as const;
const longtext = { type: 'longtext' } as const;

export const KIND_FIELDS: Record<EntryKind, readonly FieldSpec[]> = {
  'home-visit': [
    { key: 'place', required: true, input: text },
    { key: 'purpose', required: true, input: text },
    { key: 'agreed', required: false, input: longtext },
  ],
  'morning-checkin': [
    { key: 'arrival', required: true, input: { type: 'choice', options: ARRIVALS } },
    { key: 'time', required: false, input: { type: 'time' } },
    { key: 'mood', required: false, input: text },
  ],
  'apartment-session': [
    { key: 'teacher_present', required: true, input: { type: 'choice', options: ['yes', 'no'] } },
    { key: 'step', required: true, input: text },
    { key: 'duration_min', required: true, input: { type: 'minutes' } },
  ],
  consultation: [
    {
      key: 'staff_role',
      required: true,
      input: { type: 'choice', options: ['teacher', 'mentor', 'nurse', 'counsellor', 'principal', 'other'] },
    },
    { key: 'topic', required: false, input: text },
  ],
  'collaboration-meeting': [
    { key: 'parties', required: true, input: text },
    { key: 'outcome', required: false, input: longtext },
  ],
  'phone-call': [
    { key: 'with_whom', required: true, input: text },
    { key: 'direction', required: false, input: { type: 'choice', options: ['incoming', 'outgoing'] } },
  ],
  note: [],
};

/** Every kind needs text except the morning check-in. */
export function textRequired(kind: EntryKind): boolean {
  return kind !== 'morning-checkin';
}

export type FieldProblem = 'required' | 'choice' | 'minutes' | 'time';

/** Problems per field key (and 'text'), empty when the entry may be saved. */
export function entryProblems(
  kind: EntryKind,
  fields: Record<string, string>,
  body: string,
): Record<string, FieldProblem> {
  const problems: Record<string, FieldProblem> = {};
  for (const spec of KIND_FIELDS[kind]) {
    const value = (fields[spec.key] ?? '').trim();
    if (value === '') {
      if (spec.required) problems[spec.key] = 'required';
      continue;
    }
    const input = spec.input;
    if (input.type === 'choice' && !input.options.includes(value)) problems[spec.key] = 'choice';
    if (input.type === 'minutes' && !(/^\d+$/u.test(value) && Number(value) >= 1 && Number(value) <= 600))
      problems[spec.key] = 'minutes';
    if (input.type === 'time' && !/^([01]\d|2[0-3]):[0-5]\d$/u.test(value)) problems[spec.key] = 'time';
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
