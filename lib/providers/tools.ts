// A provider's tools: discovery (tools/list, stored on the provider) and calls, both made as the
// calling user when the provider forwards identity.
import "server-only";
import { ApiError } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { IdentityError, identityApiError } from "@/lib/identity/errors";
import { connectionCredentials, type EndUser } from "@/lib/identity/forwarding";
import { forgetToken } from "@/lib/identity/token-cache";
import { callTool, listTools, McpCallError, type McpConnection } from "@/lib/mcp/client";
import { findProviderRow } from "@/lib/providers/data";
import { toDocument, toProvider, type ProviderRow } from "@/lib/providers/record";
import { log } from "@/lib/log";
import type { StoredTool } from "@/lib/providers/tool-schemas";

function storedTools(row: ProviderRow): StoredTool[] {
  try {
    const parsed = JSON.parse(row.tools);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

export async function listProviderTools(options: { workspaceId: string; id: string }) {
  const row = await findProviderRow(options);
  return { data: storedTools(row), fetched_at: row.toolsFetchedAt?.toISOString() ?? null, authed: row.authed };
}

/** Headers and limits for talking to this provider as `user`; identity failures become API errors. */
async function connectionFor(row: ProviderRow, user: EndUser | undefined): Promise<McpConnection & { forwarded: boolean; validUntil: number }> {
  const doc = toDocument(row);
  try {
    const credentials = await connectionCredentials({ identityMode: row.identityMode, serverUrl: doc.server_url, headers: doc.headers, user });
    return {
      url: doc.server_url,
      headers: credentials.headers,
      forwarded: credentials.forwarded,
      validUntil: credentials.validUntil,
      timeoutMs: doc.configuration.timeout * 1000,
      sseReadTimeoutMs: doc.configuration.sse_read_timeout * 1000,
    };
  } catch (error) {
    if (error instanceof IdentityError) throw identityApiError(error, row.name);
    throw error;
  }
}

function upstreamApiError(error: McpCallError, row: ProviderRow, forwarded: boolean): ApiError {
  switch (error.failure) {
    case "unauthorized":
      return new ApiError(
        "upstream_unauthorized",
        forwarded
          ? `${row.name} refused your identity token (${error.status}). Nothing was retried with other credentials; sign in with SSO again or ask an admin to check the server's audience.`
          : `${row.name} refused the provider's credentials (${error.status}). An admin should check its headers.`,
      );
    case "timeout":
      return new ApiError("upstream_timeout", `${row.name} did not answer within its timeout.`);
    default:
      return new ApiError("upstream_error", `Couldn't talk to ${row.name}: ${error.message}.`);
  }
}

/** tools/list now; stores the tools, `authed` and the time. A 401 stores authed=false. */
export async function refreshProviderTools(options: { workspaceId: string; id: string; user: EndUser | undefined }) {
  const row = await findProviderRow(options);
  const connection = await connectionFor(row, options.user);
  try {
    const tools = await listTools(connection);
    const stored: StoredTool[] = tools.map((tool) => ({
      name: tool.name,
      title: tool.title ?? tool.annotations?.title ?? null,
      description: tool.description ?? null,
      input_schema: tool.inputSchema as Record<string, unknown>,
    }));
    const updated = await saveDiscovery(row, { tools: stored, authed: true });
    return toProvider(updated);
  } catch (error) {
    if (!(error instanceof McpCallError)) throw error;
    if (error.failure === "unauthorized") {
      await saveDiscovery(row, { tools: storedTools(row), authed: false });
      if (connection.forwarded && options.user) forgetToken(options.user.userId, options.user.workspaceId, connection.url);
    }
    throw upstreamApiError(error, row, connection.forwarded);
  }
}

async function saveDiscovery(row: ProviderRow, result: { tools: StoredTool[]; authed: boolean }) {
  // Discovery is not a configuration change: the version (ETag) stays.
  const data = { tools: JSON.stringify(result.tools), authed: result.authed, toolsFetchedAt: new Date() };
  await db().mcpProvider.updateMany({ where: { id: row.id, workspaceId: row.workspaceId }, data });
  return { ...row, ...data };
}

/** Discovery right after create: best effort, never fails the create. Returns the provider as stored. */
export async function discoverQuietly(options: { workspaceId: string; id: string; user: EndUser }) {
  try {
    return await refreshProviderTools(options);
  } catch (error) {
    log.info({ providerId: options.id, reason: (error as Error).message }, "discovery after create did not complete");
    return toProvider(await findProviderRow(options));
  }
}

export async function callProviderTool(options: { workspaceId: string; id: string; tool: string; args: Record<string, unknown>; user: EndUser | undefined }) {
  const row = await findProviderRow(options);
  const connection = await connectionFor(row, options.user);
  try {
    // Warm sessions are per caller: only a call made for a user gets one.
    const scope = options.user ? { userId: options.user.userId, providerId: row.id, version: row.version, validUntil: connection.validUntil } : undefined;
    const result = await callTool(connection, options.tool, options.args, scope);
    return {
      content: (result.content ?? []) as Record<string, unknown>[],
      structured_content: (result.structuredContent as Record<string, unknown> | undefined) ?? null,
      is_error: Boolean(result.isError),
    };
  } catch (error) {
    if (!(error instanceof McpCallError)) throw error;
    if (error.failure === "unauthorized" && connection.forwarded && options.user) forgetToken(options.user.userId, options.user.workspaceId, connection.url);
    throw upstreamApiError(error, row, connection.forwarded);
  }
}
