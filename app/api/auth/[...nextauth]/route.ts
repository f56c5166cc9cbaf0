import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { authOptions } from "@/lib/auth/options";
import { clientAddress, enforce, LIMITS } from "@/lib/rate-limit";

type Context = { params: Promise<{ nextauth: string[] }> };

// next-auth v4 reads params synchronously; hand it the awaited ones.
async function handler(req: NextRequest, context: Context) {
  const params = await context.params;
  if (req.method === "POST" && params.nextauth?.join("/") === "callback/credentials") {
    const form = new URLSearchParams(await req.clone().text());
    try {
      await enforce([
        [LIMITS.signInPerAddress, clientAddress(req)],
        [LIMITS.signInPerAccount, form.get("email") ?? ""],
      ]);
    } catch (error) {
      if (error instanceof ApiError) return problemResponse(error);
      throw error;
    }
  }
  return NextAuth(req as never, { params } as never, authOptions());
}

export { handler as GET, handler as POST };
