// Structured JSON logs, one line each. Anything that looks like a secret is redacted by key.
const SECRET_KEY = /authorization|cookie|secret|password|token|key|header|refresh|credential/i;

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redact(inner, depth + 1)]),
  );
}

function write(level: "info" | "warn" | "error", fields: Record<string, unknown>, message: string) {
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...(redact(fields) as object) });
  (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  info: (fields: Record<string, unknown>, message: string) => write("info", fields, message),
  warn: (fields: Record<string, unknown>, message: string) => write("warn", fields, message),
  error: (fields: Record<string, unknown>, message: string) => write("error", fields, message),
};
