import { describe, expect, it } from 'vitest';
import { byOrganisation, contactEdit, keyPersonLabel, newContact, type ContactFields } from '../../src/lib/keyPersons';
import type { ContactView } from '../../src/lib/bindings/ContactView';

const person = (over: Partial<ContactView>): ContactView => ({
  id: 'k1',
  org_kind: 'school',
  org_name: 'Fiktiva skolan',
  role: 'mentor',
  name: 'Fiktiv Mentor',
  phone: '08-000 00 00',
  email: null,
  added_at: '2026-12-01T08:00:00Z',
  added_by: 'Fiktiv Handläggare',
  left_on: null,
  conflicts: [],
  ...over,
});

const fields = (c: ContactView, over: Partial<ContactFields> = {}): ContactFields => ({
  orgKind: c.org_kind,
  orgName: c.org_name,
  role: c.role,
  name: c.name,
  phone: c.phone ?? '',
  email: c.email ?? '',
  ...over,
});

describe('key persons', () => {
  it('are grouped by kind and name of organisation, in the order listed', () => {
    const groups = byOrganisation([
      person({ id: 'a' }),
      person({ id: 'b', role: 'rektor' }),
      person({ id: 'c', org_kind: 'bup', org_name: '' }),
    ]);
    expect(groups.map((g) => [g.orgKind, g.orgName, g.people.map((p) => p.id)])).toEqual([
      ['school', 'Fiktiva skolan', ['a', 'b']],
      ['bup', '', ['c']],
    ]);
  });
  it('are labelled with the role and the organisation there are', () => {
    expect(keyPersonLabel(person({}))).toBe('Fiktiv Mentor (mentor, Fiktiva skolan)');
    expect(keyPersonLabel(person({ org_name: '' }))).toBe('Fiktiv Mentor (mentor)');
  });
  it('are added with empty phone and e-mail as none', () => {
    const c = person({});
    expect(newContact(fields(c, { phone: ' ' }))).toEqual({
      org_kind: 'school',
      org_name: 'Fiktiva skolan',
      role: 'mentor',
      name: 'Fiktiv Mentor',
      phone: null,
      email: null,
    });
  });
  it('are edited by the fields that changed only; an emptied phone clears it', () => {
    const c = person({});
    expect(contactEdit(c, fields(c))).toEqual({ org_name: null, role: null, name: null, phone: null, email: null });
    expect(contactEdit(c, fields(c, { role: 'klassmentor', phone: '' }))).toEqual({
      org_name: null,
      role: 'klassmentor',
      name: null,
      phone: '',
      email: null,
    });
  });
});
