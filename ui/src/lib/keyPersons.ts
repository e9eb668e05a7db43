// The team's key persons (docs/contacts.md) as the window shows them: by
// organisation, and named where an entry or a plan action names them.

import type { ContactEdit } from './bindings/ContactEdit';
import type { ContactView } from './bindings/ContactView';
import type { NewContact } from './bindings/NewContact';
import type { KeyPersonView } from './bindings/KeyPersonView';

/** The kinds of organisation, in the core's order (contacts::org_kind). */
export const ORG_KINDS = [
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

export interface OrgGroup {
  /** Kind and name, for a key in a list. */
  key: string;
  orgKind: string;
  orgName: string;
  people: ContactView[];
}

/** The directory grouped by organisation: kind, then name (the core's order). */
export function byOrganisation(contacts: ContactView[]): OrgGroup[] {
  const groups: OrgGroup[] = [];
  for (const c of contacts) {
    const key = `${c.org_kind}\u0000${c.org_name}`;
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, orgKind: c.org_kind, orgName: c.org_name, people: [] };
      groups.push(group);
    }
    group.people.push(c);
  }
  return groups;
}

/** "Name (role, organisation)", as the core's label and the journal PDF write it. */
export function keyPersonLabel(k: Pick<KeyPersonView, 'name' | 'role' | 'org_name'>): string {
  const within = [k.role, k.org_name].filter((s) => s !== '').join(', ');
  return within === '' ? k.name : `${k.name} (${within})`;
}

/** What the key person form holds. */
export interface ContactFields {
  orgKind: string;
  orgName: string;
  role: string;
  name: string;
  phone: string;
  email: string;
}

/** The new key person the form describes. */
export function newContact(f: ContactFields): NewContact {
  const optional = (v: string): string | null => (v.trim() === '' ? null : v);
  return { org_kind: f.orgKind, org_name: f.orgName, role: f.role, name: f.name, phone: optional(f.phone), email: optional(f.email) };
}

/** The fields the form changed, each set; the rest left as they are. */
export function contactEdit(before: ContactView, f: ContactFields): ContactEdit {
  const changed = (now: string, was: string | null): string | null => (now.trim() === (was ?? '') ? null : now);
  return {
    org_name: changed(f.orgName, before.org_name),
    role: changed(f.role, before.role),
    name: changed(f.name, before.name),
    phone: changed(f.phone, before.phone),
    email: changed(f.email, before.email),
  };
}
