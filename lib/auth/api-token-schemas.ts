// The API token's shapes on the wire, shared by the API and the browser's form (which takes its limits from here).
import { z } from "zod";

export const API_TOKEN_NAME_MAX = 60;
export const API_TOKEN_MAX_DAYS = 366;

/** A name as people read it (NFKC, single spaces, trimmed): what is stored, and what the length limit counts. */
export function tidyTokenName(name: string): string {
  return name.normalize("NFKC").replace(/\s+/g, " ").trim();
}

export const createApiTokenSchema = z.strictObject({
  // Tidied before it is measured: NFKC can make one character many (U+FDFA is 18).
  name: z.string({ error: "Name is required" }).overwrite(tidyTokenName).min(1, "Name is required").max(API_TOKEN_NAME_MAX, `At most ${API_TOKEN_NAME_MAX} characters`),
  expires_in_days: z
    .int("expires_in_days must be a whole number of days")
    .min(1, "At least 1 day")
    .max(API_TOKEN_MAX_DAYS, `At most ${API_TOKEN_MAX_DAYS} days`)
    .optional()
    .describe("The token stops working this many days from now; without it, it works until revoked"),
});

export const apiTokenIdSchema = z.strictObject({ id: z.uuid() });

export const apiTokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The first characters of the token, to recognise it"),
  workspace: z.object({ id: z.string(), name: z.string() }).describe("The workspace the token acts in (the one it was made in)"),
  last_used_at: z.iso.datetime().nullable(),
  expires_at: z.iso.datetime().nullable().describe("When it stops working; null: until revoked"),
  created_at: z.iso.datetime(),
});

export const createdApiTokenSchema = apiTokenSchema.extend({
  token: z.string().describe("The secret. Shown only in this response; store it now."),
});
