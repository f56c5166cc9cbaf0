// Rows written before the masked columns existed get them — and their tool count — once: all of
// them when a console starts, and any that show up later (written by an instance of the earlier
// version during a rolling upgrade) the first time they are shown. Responses read only the masked
// columns, so lists never decrypt.
import "server-only";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { maskedColumns, parseStoredTools, toDocument, type ProviderRow, type ShownRow } from "@/lib/providers/record";

const BATCH = 200;

function filledColumns(row: ProviderRow) {
  return { ...maskedColumns(toDocument(row)), toolsCount: parseStoredTools(row.tools).length };
}

async function fill(rows: ProviderRow[]): Promise<ProviderRow[]> {
  const filled: ProviderRow[] = [];
  for (const row of rows) {
    const columns = filledColumns(row);
    // Guarded by the version: a row changed meanwhile was written with its masks by then.
    await db().mcpProvider.updateMany({ where: { id: row.id, version: row.version }, data: columns });
    filled.push({ ...row, ...columns });
  }
  return filled;
}

export async function backfillMaskedColumns(): Promise<number> {
  let count = 0;
  let after = "";
  for (;;) {
    const rows = await db().mcpProvider.findMany({ where: { serverUrlMasked: null, id: { gt: after } }, orderBy: { id: "asc" }, take: BATCH });
    if (rows.length === 0) break;
    await fill(rows);
    count += rows.length;
    after = rows[rows.length - 1].id;
  }
  if (count > 0) log.info({ providers: count }, "filled in the masked columns of providers written by an earlier version");
  return count;
}

/** `rows` with their masked columns, filling in any row that has none yet. */
export async function withMaskedColumns<T extends ShownRow>(rows: T[]): Promise<T[]> {
  const missing = rows.filter((row) => row.serverUrlMasked === null).map((row) => row.id);
  if (missing.length === 0) return rows;
  const filled = new Map((await fill(await db().mcpProvider.findMany({ where: { id: { in: missing } } }))).map((row) => [row.id, row]));
  return rows.map((row) => {
    const full = filled.get(row.id);
    return full ? { ...row, serverUrlMasked: full.serverUrlMasked, headersMasked: full.headersMasked, clientSecretMasked: full.clientSecretMasked, identityClientSecretMasked: full.identityClientSecretMasked, clientKeyMasked: full.clientKeyMasked, toolsCount: full.toolsCount } : row;
  });
}
