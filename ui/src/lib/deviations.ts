// The stable keys of deviations in collaboration, as the core names them
// (crates/protocol/src/op.rs): the partner is the kind of organisation of
// the team's directory of key persons.

export const PARTNERS = [
  'school',
  'student-health',
  'bup',
  'youth-clinic',
  'child-health',
  'police',
  'leisure-services',
  'social-services',
  'other',
] as const;

export const CATEGORIES = [
  'late-contact',
  'action-not-done',
  'information-not-passed',
  'guardian-as-messenger',
  'other',
] as const;

export const STATUSES = ['open', 'raised', 'mended'] as const;
