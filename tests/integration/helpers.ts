// Drives the real route handlers against the real database of the running project (SQLite or
// PostgreSQL). Every test makes its own workspace and users, so files can run side by side.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createSession } from "@/lib/auth/sessions";
import type { Role } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { CLIENT_ADDRESS_HEADER, stampClientAddress } from "@/lib/edge/client-address.mjs";
import { env } from "@/lib/env";
import * as providers from "@/app/api/v1/mcp-providers/route";
import * as provider from "@/app/api/v1/mcp-providers/[id]/route";
import * as features from "@/app/api/v1/features/route";
import * as apiTokens from "@/app/api/v1/api-tokens/route";
import * as apiToken from "@/app/api/v1/api-tokens/[id]/route";
import * as openapi from "@/app/api/v1/openapi.json/route";
import * as tools from "@/app/api/v1/mcp-providers/[id]/tools/route";
import * as toolsRefresh from "@/app/api/v1/mcp-providers/[id]/tools/refresh/route";
import * as toolCall from "@/app/api/v1/mcp-providers/[id]/tools/[tool]/call/route";

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: [RegExp, Record<string, unknown>][] = [
  [/^\/api\/v1\/mcp-providers$/, providers],
  [/^\/api\/v1\/mcp-providers\/(?<id>[^/]+)$/, provider],
  [/^\/api\/v1\/mcp-providers\/(?<id>[^/]+)\/tools$/, tools],
  [/^\/api\/v1\/mcp-providers\/(?<id>[^/]+)\/tools\/refresh$/, toolsRefresh],
  [/^\/api\/v1\/mcp-providers\/(?<id>[^/]+)\/tools\/(?<tool>[^/]+)\/call$/, toolCall],
  [/^\/api\/v1\/features$/, features],
  [/^\/api\/v1\/api-tokens$/, apiTokens],
  [/^\/api\/v1\/api-tokens\/(?<id>[^/]+)$/, apiToken],
  [/^\/api\/v1\/openapi\.json$/, openapi],
];

export const ORIGIN = "http://127.0.0.1:3000";

export type Actor = { token?: string; cookie?: string; userId: string; workspaceId: string };

export type CallOptions = { body?: unknown; rawBody?: string; headers?: Record<string, string>; address?: string };

/** The header the console's server stamps with the client's address (lib/edge/client-address.mjs). */
export function fromAddress(address: string): Record<string, string> {
  return { [CLIENT_ADDRESS_HEADER]: stampClientAddress(address) };
}

export async function call(actor: Partial<Actor> | null, method: string, url: string, options: CallOptions = {}) {
  const target = new URL(url, ORIGIN);
  const route = ROUTES.find(([pattern]) => pattern.test(target.pathname));
  if (!route) throw new Error(`No route for ${target.pathname}`);
  const handler = route[1][method] as Handler | undefined;
  if (!handler) throw new Error(`${method} is not exported for ${target.pathname}`);
  const groups = route[0].exec(target.pathname)?.groups ?? {};
  const params = Object.fromEntries(Object.entries(groups).map(([key, value]) => [key, decodeURIComponent(value)]));
  const headers = new Headers({ ...(options.address ? fromAddress(options.address) : {}), ...options.headers });
  if (actor?.token) headers.set("authorization", `Bearer ${actor.token}`);
  if (actor?.cookie) headers.set("cookie", actor.cookie);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const req = new NextRequest(target, { method, headers, body });
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export async function createWorkspace(name = `ws-${randomUUID().slice(0, 8)}`) {
  const id = randomUUID();
  await db().workspace.create({ data: { id, name, createdAt: new Date() } });
  return id;
}

/** A user with a role in a workspace, holding an API token. */
export async function createActor(role: Role, workspaceId?: string): Promise<Actor & { email: string }> {
  const ws = workspaceId ?? (await createWorkspace());
  const userId = randomUUID();
  const email = `${role}-${userId.slice(0, 8)}@example.test`;
  await db().user.create({ data: { id: userId, email, name: role, createdAt: new Date() } });
  await db().membership.create({ data: { userId, workspaceId: ws, role, createdAt: new Date() } });
  const { token } = await createApiToken({ userId, workspaceId: ws, name: "test" });
  return { token, userId, workspaceId: ws, email };
}

/** The session cookie the browser would hold after signing in (a real database session). */
export async function sessionCookie(userId: string): Promise<string> {
  const sid = await createSession({ userId, viaSso: false });
  const jwt = await encode({ token: { sub: userId, sid }, secret: env().NEXTAUTH_SECRET });
  return `next-auth.session-token=${jwt}`;
}

let counter = 0;
export function uniqueProvider(overrides: Record<string, unknown> = {}) {
  const n = `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(-12);
  return {
    name: `Provider ${n}`,
    server_identifier: `p-${n}`,
    server_url: `https://mcp.example.com/${n}/mcp?key=url-secret-${n}`,
    ...overrides,
  };
}
