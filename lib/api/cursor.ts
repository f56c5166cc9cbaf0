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
