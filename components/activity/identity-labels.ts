// What a call's identity (the activity log's `identity`: an identity mode, or "oauth") is called on
// the Activity page and in its charts.
const IDENTITY_LABELS: Record<string, string> = {
  off: "Provider's credentials",
  oauth: "OAuth connection",
  idp_token: "Forwarded: SSO token",
  token_exchange: "Forwarded: token exchange",
  id_jag: "Forwarded: ID-JAG",
};

/** A mode this version doesn't name still forwarded the user (an unknown stored mode fails closed, never "off"). */
export function identityLabel(identity: string): string {
  return IDENTITY_LABELS[identity] ?? "Forwarded as the user";
}
