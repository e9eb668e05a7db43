// The ground of a disclosure as the window picks it: one of the case's
// active consents, or another ground named and confirmed (sharing outside
// an active consent is confirmed first).

import type { ConsentView } from './bindings/ConsentView';
import type { DisclosureGround } from './bindings/DisclosureGround';

/** What the picker holds: a consent's id, `other`, or nothing chosen. */
export interface GroundChoice {
  choice: string;
  named: string;
  confirmed: boolean;
}

export const OTHER = 'other';

export function emptyChoice(): GroundChoice {
  return { choice: '', named: '', confirmed: false };
}

/** The consents a disclosure may be made under: those in force. */
export function activeConsents(consents: ConsentView[]): ConsentView[] {
  return consents.filter((c) => c.active);
}

/** The ground chosen, or null while it is incomplete (a named ground is
 *  empty or not confirmed). */
export function groundOf(g: GroundChoice): DisclosureGround | null {
  if (g.choice === '') return null;
  if (g.choice !== OTHER) return { kind: 'consent', consent_id: g.choice };
  return g.named.trim() !== '' && g.confirmed ? { kind: 'other', ground: g.named.trim() } : null;
}
