// For server-rendered pages: the signed-in caller, by the same checks the API makes (and the API
// still checks on every request). Null when there is no live session.
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { NextRequest } from "next/server";
import { sessionCaller, type Caller } from "@/lib/auth/request-auth";

/** Asked once per page render, however many of its layouts and pages ask. */
export const currentMembership = cache(async (): Promise<Caller | null> => {
  // The page's own request, as the API would see it (its cookies come from the Cookie header).
  const req = new NextRequest("http://console.invalid/", { headers: await headers() });
  return sessionCaller(req).catch(() => null);
});

/** The signed-in caller of a console page (the console layout has already sent everyone else to sign in). */
export async function pageCaller(): Promise<Caller> {
  const caller = await currentMembership();
  if (!caller) redirect("/signin");
  return caller;
}
