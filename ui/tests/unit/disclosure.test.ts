import { describe, expect, it } from 'vitest';
import { activeConsents, emptyChoice, groundOf, OTHER } from '../../src/lib/disclosure';
import type { ConsentView } from '../../src/lib/bindings/ConsentView';

const consent = (id: string, active: boolean): ConsentView => ({
  id,
  case_id: 'c',
  guardian_id: null,
  given_by: null,
  scope: 'Skolgång',
  recipient: 'BUP',
  purpose: 'Samordning',
  form: 'written',
  given_on: '2025-01-10',
  valid_until: null,
  withdrawn_on: active ? null : '2025-02-01',
  active,
});

describe('the ground of a disclosure', () => {
  it('is nothing until one is chosen', () => {
    expect(groundOf(emptyChoice())).toBeNull();
  });

  it('is the consent chosen', () => {
    expect(groundOf({ ...emptyChoice(), choice: 'k1' })).toEqual({ kind: 'consent', consent_id: 'k1' });
  });

  it('outside a consent needs the ground named and confirmed', () => {
    const other = { choice: OTHER, named: ' OSL 10 kap. 2 § ', confirmed: false };
    expect(groundOf(other)).toBeNull();
    expect(groundOf({ ...other, named: '  ', confirmed: true })).toBeNull();
    expect(groundOf({ ...other, confirmed: true })).toEqual({ kind: 'other', ground: 'OSL 10 kap. 2 §' });
  });

  it('is offered only among the consents in force', () => {
    expect(activeConsents([consent('a', true), consent('b', false)]).map((c) => c.id)).toEqual(['a']);
  });
});
