// The paging parameters every newest-first list takes (the cursor itself: lib/api/cursor.ts).
import { z } from "zod";

/** `limit` (1–100, default 50) and an opaque `cursor` from the previous page's `next_cursor`. */
export const pageQueryFields = {
  limit: z.coerce.number().int("limit must be a whole number").min(1).max(100).default(50),
  cursor: z.string().max(512).optional(),
};
