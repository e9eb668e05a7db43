// Passphrase strength, shown while the therapist picks a passphrase.
//
// A rough estimate, meant to steer towards long passphrases of several
// words: the journal's real protection is Argon2id over whatever is typed,
// so length matters most. The core refuses fewer than MIN_CHARS characters.

export const MIN_CHARS = 10;

export type StrengthScore = 0 | 1 | 2 | 3 | 4;
export type StrengthHint = 'longer' | 'more_words' | 'mix' | 'no_repeats' | 'no_common';

export interface Strength {
  score: StrengthScore;
  /** Fewer characters than the core accepts. */
  tooShort: boolean;
  /** Rough entropy estimate in bits. */
  bits: number;
  hints: StrengthHint[];
}

const COMMON = [
  'lösenord', 'losenord', 'password', 'passord', 'brygga', 'qwerty', 'asdf',
  '123456', 'abc123', 'sommar', 'vinter', 'hejhej', 'letmein', 'admin', 'skolan',
];

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopåasdfghjklöäzxcvbnm'];

function hasSequence(p: string, run = 4): boolean {
  const lower = p.toLowerCase();
  for (const seq of SEQUENCES) {
    for (let i = 0; i + run <= seq.length; i++) {
      const part = seq.slice(i, i + run);
      if (lower.includes(part) || lower.includes([...part].reverse().join(''))) return true;
    }
  }
  return false;
}

export function passphraseStrength(passphrase: string): Strength {
  const chars = [...passphrase];
  const length = chars.length;
  let pool = 0;
  if (/\p{Ll}/u.test(passphrase)) pool += 29;
  if (/\p{Lu}/u.test(passphrase)) pool += 29;
  if (/\p{N}/u.test(passphrase)) pool += 10;
  if (/[^\p{L}\p{N}]/u.test(passphrase)) pool += 20;
  const unique = new Set(chars.map((c) => c.toLowerCase())).size;
  let bits = length > 0 ? length * Math.log2(Math.max(pool, 2)) : 0;
  // Few distinct characters ("aaaaaaaaaaaa") carry little.
  bits = Math.min(bits, unique * 4.5);
  const words = passphrase.trim().split(/[\s\-_.,]+/u).filter((w) => [...w].length >= 3);
  if (words.length >= 3) {
    // A passphrase of words: count words from a large vocabulary.
    bits = Math.max(bits, words.length * 13);
  }
  const hints: StrengthHint[] = [];
  const lower = passphrase.toLowerCase();
  if (COMMON.some((c) => lower.includes(c))) {
    bits -= 20;
    hints.push('no_common');
  }
  if (/(.)\1\1/u.test(passphrase) || hasSequence(passphrase)) {
    bits -= 15;
    hints.push('no_repeats');
  }
  bits = Math.max(0, Math.round(bits));
  const tooShort = length < MIN_CHARS;
  if (length < 16) hints.unshift('longer');
  if (words.length < 3) hints.push('more_words');
  if (pool < 40 && words.length < 3) hints.push('mix');
  let score: StrengthScore;
  if (tooShort || bits < 35) score = tooShort ? 0 : 1;
  else if (bits < 50) score = 2;
  else if (bits < 70) score = 3;
  else score = 4;
  return { score, tooShort, bits, hints: score >= 4 ? [] : hints };
}

/** Good enough to create a journal with. */
export function acceptable(s: Strength): boolean {
  return !s.tooShort && s.score >= 2;
}

/** A new journal's name and passphrase (typed twice) are good enough to create it. */
export function newJournalReady(author: string, pass1: string, pass2: string): boolean {
  return author.trim() !== '' && acceptable(passphraseStrength(pass1)) && pass1 === pass2;
}
