// What the sign-in page says for each error next-auth (or our callbacks) sends back as `?error=`.
// Some carry a detail after a colon: "RateLimited:120" is 120 seconds to wait.
const MESSAGES: Partial<Record<string, (detail?: string) => string>> = {
  CredentialsSignin: () => "That email and password don't match an account.",
  RateLimited: (seconds) =>
    `Too many sign-in attempts. Try again in ${seconds && /^\d+$/.test(seconds) ? formatWait(Number(seconds)) : "a few minutes"}.`,
  NoWorkspace: () => "Your account isn't a member of any workspace yet. Ask an admin to add you.",
  SsoIdentityConflict: () =>
    "This email's account is already linked to another single sign-on identity, so this one can't be. Ask an admin.",
  OAuthSignin: () => "Single sign-on could not start. Try again.",
  OAuthCallback: () => "Single sign-on did not complete. Try again.",
  Callback: () => "Your account could not be signed in. Try again, or ask an admin.",
  AccessDenied: () => "This account may not sign in here.",
};

function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

export function signInErrorMessage(code: string | null | undefined): string {
  if (!code) return "";
  const [name, detail] = code.split(":", 2);
  return MESSAGES[name]?.(detail) ?? "Sign-in failed. Try again.";
}
