// Connecting a provider's OAuth connection as a user, against a real authorization server: Connect,
// the user's browser at the server's sign-in form, and back through the console's callback route;
// and reading or ageing what the connection stored. Shared by the upstream OAuth tests.
import { NextRequest } from "next/server";
import { expect } from "vitest";
import { GET as callback } from "@/app/oauth/callback/route";
import { secrets } from "@/lib/crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { IdpUser } from "../../e2e/support/test-idp";
import { call, ORIGIN, sessionCookie, type Actor } from "./helpers";

/** The user's browser: the authorization server's sign-in form, then back to the console. */
export async function signInAtServer(authorizationUrl: string, user: IdpUser): Promise<URL> {
  const server = new URL(authorizationUrl).origin;
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      cookies.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
    return res;
  };
  let res = await send(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    const location = res.headers.get("location");
    if (!location) {
      // The sign-in form.
      const action = /action="([^"]+)"/.exec(await res.text())?.[1];
      expect(action).toBeDefined();
      res = await send(new URL(action ?? "", server).href, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
      });
      continue;
    }
    const next = new URL(location, server);
    if (next.origin === ORIGIN) return next;
    res = await send(next.href);
  }
  throw new Error("the authorization server never sent the browser back");
}

/** The browser's cookie a Connect set (name=value), which ties the sign-in to that browser. */
export function browserOf(started: { headers: Headers }): string {
  const cookie = started.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/^mcp_console_connect=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  return cookie.split(";")[0] ?? "";
}

/** Back at the console: its callback route, with the signed-in user's session (or none) and the browser's cookie. */
export async function returnToConsole(url: URL, as: Actor | null, browser?: string) {
  const cookies = [as ? await sessionCookie(as.userId) : undefined, browser].filter(Boolean).join("; ");
  const res = await callback(new NextRequest(url, { headers: { cookie: cookies } }));
  return new URL(res.headers.get("location") ?? "");
}

export async function connect(providerId: string, as: Actor, user: IdpUser) {
  const started = await call(as, "POST /api/v1/mcp-providers/{id}/connection", { params: { id: providerId } });
  expect(started.status, started.text).toBe(200);
  const back = await signInAtServer(started.json.authorization_url, user);
  const landed = await returnToConsole(back, as, browserOf(started));
  expect(landed.searchParams.get("connection"), landed.searchParams.get("message") ?? "").toBe("connected");
  return started.json.authorization_url;
}

export function storedState(connection: { stateEncrypted: string }) {
  return JSON.parse(secrets(env().encryptionKey).decrypt(connection.stateEncrypted)) as { dpop?: { jwk: Record<string, string> }; tokens?: { access_token: string; token_type?: string; refresh_token?: string; saved_at?: number; expires_in?: number } };
}

/** Moves a connection's token to `leftMs` before its expiry (negative: past it), as time would; `lifetime`: what the server said it lives (s). */
export async function ageToken(providerId: string, owner: string, leftMs = 10_000, lifetime?: number) {
  const row = await db().upstreamConnection.findUniqueOrThrow({ where: { providerId_owner: { providerId, owner } } });
  const state = storedState(row);
  if (state.tokens && lifetime !== undefined) state.tokens.expires_in = lifetime;
  if (state.tokens) state.tokens.saved_at = Date.now() - (state.tokens.expires_in ?? 0) * 1000 + leftMs;
  await db().upstreamConnection.update({ where: { id: row.id }, data: { stateEncrypted: secrets(env().encryptionKey).encrypt(JSON.stringify(state)) } });
}
