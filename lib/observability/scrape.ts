// GET /metrics — the Prometheus scrape of this instance. `Authorization: Bearer` with METRICS_TOKEN
// sees every series; an owner's or admin's API token sees its own workspace's only (no other
// workspace's providers, names or volumes, and nothing of the process as a whole). No cookie: a
// scraper is not a browser. The info series that name providers and workspaces are read from the
// database for the ids the scrape shows; if it can't answer, the counts are served without them.
import "server-only";
import { ApiError, problemResponse } from "@/lib/api/errors";
import { requestIdOf, toApiError } from "@/lib/api/handler";
import { bearerSecret, tokenCaller } from "@/lib/auth/request-auth";
import { hasRole } from "@/lib/auth/roles";
import { constantTimeEqual } from "@/lib/crypto";
import { db } from "@/lib/db";
import { isDatabaseUnavailable, noteDatabaseAvailable, noteDatabaseUnavailable } from "@/lib/db-availability";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { EXPOSITION_CONTENT_TYPE, exposition, type MetricFamily } from "@/lib/observability/exposition";
import { collectMetrics, PROVIDER_INFO, WORKSPACE_INFO, WORKSPACE_LABEL } from "@/lib/observability/metrics";

type Scope = { workspaceId: string; workspaceName: string } | "everything";

// Ids per database query: well inside SQLite's limit on bound parameters.
const IDS_PER_QUERY = 500;

async function scopeOf(req: Request): Promise<Scope> {
  const secret = bearerSecret(req.headers.get("authorization"));
  const metricsToken = env().METRICS_TOKEN;
  if (metricsToken && constantTimeEqual(secret, metricsToken)) return "everything";
  const caller = await tokenCaller(secret);
  if (!hasRole(caller.role, "admin")) throw new ApiError("forbidden", `Metrics need an owner's or admin's API token (or METRICS_TOKEN); this token is a ${caller.role}'s`);
  return { workspaceId: caller.workspaceId, workspaceName: caller.workspaceName };
}

function labelValues(families: readonly MetricFamily[], label: string): string[] {
  const values = new Set<string>();
  for (const family of families) {
    for (const sample of family.samples) {
      const value = sample.labels[label];
      if (typeof value === "string") values.add(value);
    }
  }
  return [...values];
}

/** The rows for `ids`, a few hundred per query; a query that answers says the database is there. */
async function inChunks<T>(ids: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let at = 0; at < ids.length; at += IDS_PER_QUERY) {
    rows.push(...(await read(ids.slice(at, at + IDS_PER_QUERY))));
    noteDatabaseAvailable();
  }
  return rows;
}

const info = (name: string, help: string, samples: MetricFamily["samples"]): MetricFamily => ({ name, help, type: "gauge", samples });

/** The names of the providers and workspaces the series show, as info series. */
async function infoFamilies(scope: Scope, shown: readonly MetricFamily[]): Promise<MetricFamily[]> {
  const providerIds = labelValues(shown, "provider_id");
  const providers = await inChunks(providerIds, (ids) =>
    db().mcpProvider.findMany({
      where: { id: { in: ids }, ...(scope === "everything" ? {} : { workspaceId: scope.workspaceId }) },
      select: { id: true, workspaceId: true, name: true, serverIdentifier: true },
    }),
  );
  const workspaces =
    scope === "everything"
      ? await inChunks(labelValues(shown, WORKSPACE_LABEL), (ids) => db().workspace.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }))
      : [{ id: scope.workspaceId, name: scope.workspaceName }];
  return [
    info(PROVIDER_INFO.name, PROVIDER_INFO.help, providers.map((row) => ({ name: PROVIDER_INFO.name, labels: { [WORKSPACE_LABEL]: row.workspaceId, provider_id: row.id, provider_name: row.name, server_identifier: row.serverIdentifier }, value: 1 }))),
    info(WORKSPACE_INFO.name, WORKSPACE_INFO.help, workspaces.map((row) => ({ name: WORKSPACE_INFO.name, labels: { [WORKSPACE_LABEL]: row.id, workspace_name: row.name }, value: 1 }))),
  ];
}

/** What `scope` may see of everything collected. */
async function visibleFamilies(scope: Scope): Promise<MetricFamily[]> {
  const families = await collectMetrics();
  if (scope === "everything") return families;
  return families
    .filter((family) => family.workspaceScoped)
    .map((family) => ({ ...family, samples: family.samples.filter((sample) => sample.labels[WORKSPACE_LABEL] === scope.workspaceId) }));
}

export async function serveMetrics(req: Request): Promise<Response> {
  const requestId = requestIdOf(req);
  let response: Response;
  try {
    const scope = await scopeOf(req);
    const families = await visibleFamilies(scope);
    const named = await infoFamilies(scope, families).catch((error: unknown) => {
      // An outage is logged once, however often Prometheus scrapes during it.
      if (isDatabaseUnavailable(error)) noteDatabaseUnavailable(error);
      else log.warn({ err: error, requestId }, "the names of providers and workspaces could not be read for /metrics; it is served without them");
      return [];
    });
    response = new Response(exposition([...families, ...named]), { headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" } });
  } catch (error) {
    response = problemResponse(toApiError(error, req, requestId));
  }
  response.headers.set("x-request-id", requestId);
  if (!response.ok) log.info({ requestId, status: response.status }, "a /metrics scrape was refused");
  return response;
}
