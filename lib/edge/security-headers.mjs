// The protective headers on every response. Pages get a nonce-based Content-Security-Policy (Next
// puts the nonce on its own scripts when the request carries the policy); API answers are data and
// get a policy that allows nothing. HSTS only when the request reached us over https.
import { randomBytes } from "node:crypto";

export function createNonce() {
  return randomBytes(16).toString("base64");
}

/**
 * The page policy. Dev mode needs eval and a websocket for hot reloading.
 * @param {string | undefined} nonce
 * @param {{ dev?: boolean }} [options]
 */
export function pagePolicy(nonce, { dev = false } = {}) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React and Radix set inline styles; styles can't run code.
    "style-src 'self' 'unsafe-inline'",
    // Provider icons may be any image URL an admin chose.
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The authorization server's answers: the API policy, plus a script-src that admits no script of
 * itself, to which oidc-provider adds the hash of the one inline script it writes — the auto-submit
 * of a form_post response (without a script-src directive it has nowhere to add it, and the
 * browser, falling back to default-src, blocks the submit).
 */
export const OAUTH_POLICY = "default-src 'none'; script-src 'strict-dynamic'; frame-ancestors 'none'";

/**
 * Headers for one response. `kind` is "page" (needs `nonce`) or "api".
 * @param {{ kind: "page" | "api", nonce?: string, https?: boolean, dev?: boolean }} options
 */
export function securityHeaders({ kind, nonce, https = false, dev = false }) {
  return {
    "content-security-policy": kind === "page" ? pagePolicy(nonce, { dev }) : API_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=()",
    "cross-origin-opener-policy": "same-origin",
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
