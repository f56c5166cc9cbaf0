// A reference to a console user as API answers carry it: who made, holds or did something.
import { z } from "zod";

export const userRefSchema = z.object({ id: z.string(), email: z.string() });
export type UserRef = z.infer<typeof userRefSchema>;
