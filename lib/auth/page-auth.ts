// For server-rendered pages: the signed-in caller, by the same checks the API makes (and the API
// still checks on every request). Null when there is no live session.
import "server-only";
import { cookies, headers } from "next/headers";
import { sessionCaller, type Caller } from "@/lib/auth/request-auth";

export async function currentMembership(): Promise<Caller | null> {
  const cookieJar = Object.fromEntries((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value]));
  const req = { headers: Object.fromEntries((await headers()).entries()), cookies: cookieJar };
  return sessionCaller(req as never).catch(() => null);
}
