// Try it's form, from a tool's input schema: one field per property (text, number, checkbox,
// choice, or JSON for arrays and objects), its defaults and minimums as starting values, and the
// arguments the fields make (or why they can't).
type Property = { type?: string | string[]; description?: string; title?: string; default?: unknown; enum?: unknown[]; minimum?: number; maximum?: number; anyOf?: Property[]; oneOf?: Property[] };
export type InputSchema = { properties?: Record<string, Property>; required?: string[] };

export type FieldKind = "text" | "number" | "integer" | "boolean" | "choice" | "json";
export type ToolField = { name: string; kind: FieldKind; required: boolean; description?: string; choices?: unknown[]; minimum?: number; maximum?: number };
/** Every field's value as the form holds it: text for inputs (choices as their JSON), a boolean for checkboxes. */
export type FormValues = Record<string, string | boolean>;

/** An optional value as many servers describe it (anyOf an integer or null): the non-null branch. */
function concrete(property: Property): Property {
  const variants = (property.anyOf ?? property.oneOf)?.filter((variant) => variant.type !== "null");
  return variants?.length === 1 ? { ...property, ...variants[0], description: property.description ?? variants[0].description, anyOf: undefined, oneOf: undefined } : property;
}

/** The schema's default, if it has a usable one (null means none). */
function defaultOf(property: Property | undefined): unknown {
  return property?.default === null ? undefined : property?.default;
}

function kindOf(raw: Property): FieldKind {
  const property = concrete(raw);
  if (property.enum?.length) return "choice";
  // A real union: the user writes the value.
  if (property.anyOf ?? property.oneOf) return "json";
  const type = Array.isArray(property.type) ? property.type.find((t) => t !== "null") : property.type;
  if (type === "string" || type === undefined) return "text";
  if (type === "number" || type === "integer" || type === "boolean") return type;
  return "json";
}

export function toolFields(schema: InputSchema): ToolField[] {
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    kind: kindOf(property),
    required: schema.required?.includes(name) ?? false,
    description: property.description ?? property.title,
    choices: concrete(property).enum,
    minimum: concrete(property).minimum,
    maximum: concrete(property).maximum,
  }));
}

/** Starting values: the schema's default, else a required number's minimum, else empty. */
export function initialValues(schema: InputSchema): FormValues {
  const values: FormValues = {};
  for (const field of toolFields(schema)) {
    const fallback = defaultOf(schema.properties?.[field.name]);
    if (field.kind === "boolean") values[field.name] = fallback === true;
    else if (fallback !== undefined) values[field.name] = field.kind === "choice" || field.kind === "json" || typeof fallback === "object" ? JSON.stringify(fallback) : `${fallback as string | number}`;
    else if (field.required && (field.kind === "number" || field.kind === "integer") && field.minimum !== undefined) values[field.name] = String(field.minimum);
    else values[field.name] = field.required && field.kind === "choice" && field.choices?.length ? JSON.stringify(field.choices[0]) : "";
  }
  return values;
}

/** The arguments the form makes: empty optional fields are left out; a field that can't be read says so. */
export function argumentsFrom(schema: InputSchema, values: FormValues): { args: Record<string, unknown>; problems: string[] } {
  const args: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of toolFields(schema)) {
    const value = values[field.name];
    if (field.kind === "boolean") {
      if (value === true || field.required || defaultOf(schema.properties?.[field.name]) !== undefined) args[field.name] = value === true;
      continue;
    }
    const text = typeof value === "string" ? value : "";
    if (text.trim() === "") {
      if (field.required && field.kind === "text") args[field.name] = "";
      continue;
    }
    if (field.kind === "text") args[field.name] = text;
    else if (field.kind === "number" || field.kind === "integer") {
      const number = Number(text);
      if (Number.isNaN(number) || (field.kind === "integer" && !Number.isInteger(number))) problems.push(`${field.name} should be ${field.kind === "integer" ? "a whole number" : "a number"}`);
      else args[field.name] = number;
    } else {
      try {
        args[field.name] = JSON.parse(text);
      } catch {
        problems.push(`${field.name} is not valid JSON`);
      }
    }
  }
  return { args, problems };
}

/** The form's values for `args` (raw JSON switched back to the form); properties the form has no field for are dropped. */
export function valuesFrom(schema: InputSchema, args: Record<string, unknown>): FormValues {
  const values = initialValues(schema);
  for (const field of toolFields(schema)) {
    if (!(field.name in args)) continue;
    const value = args[field.name];
    values[field.name] = field.kind === "boolean" ? value === true : field.kind === "choice" || field.kind === "json" ? JSON.stringify(value) : String(value);
  }
  return values;
}
