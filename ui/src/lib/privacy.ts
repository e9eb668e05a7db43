// Privacy mode: for a laptop open in a school cafeteria. Names become
// initials; personnummer and addresses are hidden. A protected-identity
// pupil's address and school never reach the UI at all (the core leaves
// them out of every view).

/** "Alva Lindqvist" → "A. L."; "Karin Lindqvist (fiktiv)" → "K. L." */
export function initials(name: string): string {
  const parts = name
    .replace(/\(.*?\)/gu, ' ')
    .split(/[\s-]+/u)
    .filter((p) => /\p{L}/u.test(p));
  if (parts.length === 0) return '•';
  return parts.map((p) => `${[...p][0]!.toLocaleUpperCase('sv-SE')}.`).join(' ');
}

export const HIDDEN = '••••••-••••';

export function showName(name: string, privacy: boolean): string {
  return privacy ? initials(name) : name;
}

export function showPersonnummer(pnr: string, privacy: boolean): string {
  return privacy ? HIDDEN : pnr;
}
