// The keyset cursor of every newest-first list: the last row's creation time and id, opaque to clients.
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";

export type Cursor = { t: number; id: string };

// What this API puts in a cursor: a creation time a Date can hold, and a row id.
const cursorSchema = z.object({ t: z.int().min(0).max(8.64e15), id: z.uuid() });

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.getTime(), id: row.id } satisfies Cursor)).toString("base64url");
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  throw new ApiError("validation_failed", "cursor is not one this API returned", {
    errors: [{ path: "cursor", message: "Invalid cursor" }],
  });
}

/** Rows after the cursor in newest-first order (ties broken by id). */
export function afterCursor(cursor: Cursor) {
  return { OR: [{ createdAt: { lt: new Date(cursor.t) } }, { createdAt: new Date(cursor.t), id: { lt: cursor.id } }] };
}

/**
 * One page of a newest-first list: what its query takes (the rows after the cursor, in order, one
 * more than the limit to know whether another page follows) and `cut`, which turns what the query
 * returned into the page and its `next_cursor`.
 */
export function newestFirstPage(options: { limit: number; cursor?: string }) {
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  return {
    where: after ? afterCursor(after) : {},
    orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }],
    take: options.limit + 1,
    cut<R extends { createdAt: Date; id: string }>(rows: R[]): { rows: R[]; next_cursor: string | null } {
      const page = rows.slice(0, options.limit);
      return { rows: page, next_cursor: rows.length > options.limit ? encodeCursor(page[page.length - 1]) : null };
    },
  };
}
