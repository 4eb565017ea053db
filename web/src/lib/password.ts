const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&*+-=?@^_';

function pick(set: string, random: Uint32Array, index: number): string {
  return set[random[index] % set.length];
}

/** A strong random password with every character class, for an admin's password reset. */
export function generatePassword(length = 16): string {
  const random = new Uint32Array(length + length);
  crypto.getRandomValues(random);
  const all = LOWER + UPPER + DIGITS + SYMBOLS;
  const chars = [pick(LOWER, random, 0), pick(UPPER, random, 1), pick(DIGITS, random, 2), pick(SYMBOLS, random, 3)];
  for (let i = 4; i < length; i += 1) chars.push(pick(all, random, i));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = random[length + i] % (i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}
