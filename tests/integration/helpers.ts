// Drives the real route handlers against the real database of the running project (SQLite or
// PostgreSQL). Every test makes its own workspace and users, so files can run side by side.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { errorCodesOf, JSON_LINES, keyOf, type Contract } from "@/lib/api/contract";
import { CONTRACTS, type ApiKey } from "@/lib/api/contracts";
import { problemSchema } from "@/lib/api/errors";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createSession } from "@/lib/auth/sessions";
import type { Role } from "@/lib/auth/roles";
import { pathFor, type ApiAnswer } from "@/lib/client/api";
import { db } from "@/lib/db";
import { CLIENT_ADDRESS_HEADER, stampClientAddress } from "@/lib/edge/client-address.mjs";
import { env } from "@/lib/env";

export const ORIGIN = "http://127.0.0.1:3000";

/** A request body that starts with `start`, then breaks as the socket of a client that left does. */
export function cutShortBody(start: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(start));
      controller.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    },
  });
}

export type Actor = { token?: string; cookie?: string; userId: string; workspaceId: string };

export type CallOptions = {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** Any JSON, valid or not: the tests send what clients might. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  address?: string;
};

export type CallResult<K extends ApiKey> = { status: number; headers: Headers; json: ApiAnswer<K>; text: string };

/** The header the console's server stamps with the client's address (lib/edge/client-address.mjs). */
export function fromAddress(address: string): Record<string, string> {
  return { [CLIENT_ADDRESS_HEADER]: stampClientAddress(address) };
}

type Handler = (req: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

const root = path.resolve(import.meta.dirname, "../..");

/** The route module beside a contract: "/api/v1/mcp-providers/{id}" → app/api/v1/mcp-providers/[id]/route.ts. */
async function handlerFor(contract: Contract): Promise<Handler> {
  const file = path.join(root, "app", contract.path.replace(/\{(\w+)\}/g, "[$1]"), "route.ts");
  const routeModule = (await import(file)) as Record<string, unknown>;
  const handler = routeModule[contract.method];
  if (typeof handler !== "function") throw new Error(`${file} exports no ${contract.method}`);
  return handler as Handler;
}

/**
 * Holds an answer to its contract: a success must be a declared status whose body parses to itself
 * (a field the contract doesn't declare fails), and a problem must be one the endpoint may answer.
 */
export function checkAgainstContract(contract: Contract, status: number, body: unknown) {
  const where = `${keyOf(contract)} answered ${status}`;
  if (status >= 200 && status < 300) {
    const spec = contract.responses[status as keyof Contract["responses"]];
    if (!spec) throw new Error(`${where}, which its contract does not declare`);
    if (!spec.schema) {
      if (body !== undefined) throw new Error(`${where} with a body, which its contract does not declare`);
      return;
    }
    const schema = spec.schema;
    for (const item of spec.jsonLines ? (body as unknown[]) : [body]) {
      const parsed = schema.safeParse(item);
      if (!parsed.success) throw new Error(`${where} with a body its contract refuses: ${parsed.error.message}`);
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), item)) throw new Error(`${where} with fields its contract does not declare: ${JSON.stringify(item).slice(0, 500)}`);
    }
    return;
  }
  const problem = problemSchema.strict().safeParse(body);
  if (!problem.success) throw new Error(`${where} with something other than a problem: ${JSON.stringify(body).slice(0, 300)}`);
  if (problem.data.status !== status) throw new Error(`${where} with a problem whose status is ${problem.data.status}`);
  if (!errorCodesOf(contract).includes(problem.data.code)) throw new Error(`${where} with "${problem.data.code}", which its contract does not declare`);
}

/** A request by method and URL (for tests that make up their paths): the contract is the one whose template matches. */
export async function callPath(actor: Partial<Actor> | null, method: string, url: string, options: Omit<CallOptions, "params" | "query"> = {}): Promise<CallResult<ApiKey>> {
  const target = new URL(url, ORIGIN);
  const segments = target.pathname.split("/");
  for (const contract of CONTRACTS) {
    if (contract.method !== method) continue;
    const template = contract.path.split("/");
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.every((part, index) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (!name) return part === segments[index];
      params[name] = decodeURIComponent(segments[index]);
      return true;
    });
    if (matches) return call(actor, keyOf(contract) as ApiKey, { ...options, params, query: Object.fromEntries(target.searchParams) });
  }
  throw new Error(`No contract for ${method} ${target.pathname}`);
}

/** One request to an endpoint, named by its contract key, through its real route handler. */
export async function call<K extends ApiKey>(actor: Partial<Actor> | null, key: K, options: CallOptions = {}): Promise<CallResult<K>> {
  const contract = CONTRACTS.find((candidate) => keyOf(candidate) === key);
  if (!contract) throw new Error(`No contract for ${key}`);
  const target = new URL(pathFor(contract.path, options.params), ORIGIN);
  for (const [name, value] of Object.entries(options.query ?? {})) target.searchParams.set(name, value);
  const headers = new Headers({ ...(options.address ? fromAddress(options.address) : {}), ...options.headers });
  if (actor?.token) headers.set("authorization", `Bearer ${actor.token}`);
  if (actor?.cookie) headers.set("cookie", actor.cookie);
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const req = new NextRequest(target, { method: contract.method, headers, body });
  const res = await (await handlerFor(contract))(req, { params: Promise.resolve(options.params ?? {}) });
  const text = await res.text();
  // A JSON Lines answer is read as the list of its lines.
  const lines = res.ok && res.headers.get("content-type")?.startsWith(JSON_LINES);
  const json: unknown = lines ? text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as unknown) : text ? JSON.parse(text) : undefined;
  checkAgainstContract(contract, res.status, json);
  // checkAgainstContract has just held the body to its contract.
  return { status: res.status, headers: res.headers, json: json as ApiAnswer<K>, text };
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
