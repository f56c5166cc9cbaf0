// Reading what an unknown value carries — a thrown error, a parsed JSON body — without trusting its
// shape: its own fields as unknowns, or none.
export function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
