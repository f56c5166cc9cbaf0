// Email addresses as the console keys accounts by them: compatibility-normalised, trimmed and
// lowercased, so " Owner@Example.com\t" and "owner@example.com" are one account and one
// rate-limit counter. No zod here: the sign-in form imports this file.
export const EMAIL_MAX = 320;

export function normaliseEmail(value: string): string {
  return value.slice(0, EMAIL_MAX * 2).normalize("NFKC").trim().toLowerCase().slice(0, EMAIL_MAX);
}

// Users whose identity provider vouched for no email get an address in the reserved .invalid
// domain (RFC 2606), which can't receive mail — so nobody can claim it as their own.
const PLACEHOLDER_DOMAIN = "@sso.invalid";

export function placeholderEmail(identityKey: string): string {
  return `sso-${identityKey}${PLACEHOLDER_DOMAIN}`;
}

/** True for addresses that no identity provider may claim: the reserved .invalid domain. */
export function isReservedEmail(email: string): boolean {
  return /\.invalid$/i.test(email.trim());
}
