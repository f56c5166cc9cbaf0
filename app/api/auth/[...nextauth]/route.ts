import NextAuth, { type AuthOptions } from "next-auth";
import type { NextRequest } from "next/server";
import { parseJsonText, readCappedText } from "@/lib/api/body";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { authOptions } from "@/lib/auth/options";

type Context = { params: Promise<{ nextauth: string[] }> };

// Sign-in forms are small; anything bigger is refused before next-auth reads it.
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/** A body next-auth would choke on (too big, or JSON that doesn't parse) is a 4xx here, not a 500. */
async function checkBody(req: NextRequest): Promise<void> {
  if (req.method !== "POST") return;
  const text = await readCappedText(req.clone(), MAX_AUTH_BODY_BYTES);
  if ((req.headers.get("content-type") ?? "").includes("application/json")) parseJsonText(text);
}

// next-auth's route handler for the App Router (its declaration says it returns `any`).
const nextAuth: (req: NextRequest, context: Context, options: AuthOptions) => Promise<Response> = NextAuth;

// Sign-in attempts are counted inside the Credentials provider's authorize step
// (lib/auth/options.ts), on the values it uses.
async function handler(req: NextRequest, context: Context) {
  try {
    await checkBody(req);
  } catch (error) {
    if (error instanceof ApiError) return problemResponse(error);
    throw error;
  }
  return nextAuth(req, context, authOptions());
}

export { handler as GET, handler as POST };
