// The stable keys of deviations in collaboration, as the core names them
// (crates/protocol/src/op.rs): the partner is the kind of organisation of
// the team's directory of key persons.

import { ORG_KINDS } from './keyPersons';

/** A partner is a kind of organisation of the directory. */
export const PARTNERS = ORG_KINDS;

export const CATEGORIES = [
  'late-contact',
  'action-not-done',
  'information-not-passed',
  'guardian-as-messenger',
  'other',
] as const;

export const STATUSES = ['open', 'raised', 'mended'] as const;
