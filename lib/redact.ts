// What counts as a secret, for everything the console writes down: its logs (lib/log.ts) and the
// arguments and results the activity log keeps where an admin turned recording on
// (lib/activity/recording.ts). One list: a key that names a secret has its value replaced at any
// depth, and so does a value that is a credential whatever its key is called.
const SECRET_KEY = /authorization|cookie|secret|password|passwd|token|api[-_]?key|credential|refresh|header|^key$/i;

// Credentials that announce themselves, wherever they appear in a text: an Authorization value, a
// JWT, and keys whose issuers give them a recognisable prefix (the console's own API tokens among them).
const SECRET_TEXT = [
  /\b(?:bearer|basic)\s+[\w.~+/-]{12,}=*/gi,
  /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g,
  /\b(?:sk|rk|pk)[-_][\w-]{16,}/g,
  /\b(?:gh[pousr]_|github_pat_|glpat-|xox[abprs]-|mcpc_|AKIA)[\w-]{12,}/g,
];

export const REDACTED = "[redacted]";
const MAX_DEPTH = 6;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `text` with every credential-looking part replaced. */
export function redactText(text: string): string {
  return SECRET_TEXT.reduce((out, pattern) => out.replace(pattern, REDACTED), text);
}

/** `value` with every secret replaced; what lies deeper than a few levels is left out, not passed through unread. */
export function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isSecretKey(key) && inner !== undefined ? REDACTED : redact(inner, depth + 1)]),
  );
}
