// `npm run audit:verify -- [--workspace <id>] [--from <position>] [--to <position>] [--json]`
// Checks the activity log's hash chain of one workspace (or every one) and names the first record
// that doesn't fit. Exit code 0: every chain checked fits; 1: a break (printed); 2: bad arguments.
// Run with the react-server condition so server-only modules load outside Next.
import { parseArgs } from "node:util";
import { z } from "zod";
import { verifyChain, type Verification } from "@/lib/activity/verify";
import { db } from "@/lib/db";

const argsSchema = z.object({
  workspace: z.string().min(1).optional(),
  from: z.coerce.number().int().min(1).optional(),
  to: z.coerce.number().int().min(1).optional(),
  json: z.boolean().optional(),
});

function describe(workspaceId: string, verification: Verification): string {
  const span = verification.checked > 0 ? ` (positions ${verification.from_position}–${verification.to_position})` : "";
  if (verification.ok) return `ok     ${workspaceId}: ${verification.checked} record(s)${span} fit the chain`;
  const broke = verification.break;
  const record = broke?.record ? ` record ${broke.record.id} at position ${broke.record.position ?? "none"}, ${broke.record.at}:` : "";
  return `BROKEN ${workspaceId}: ${broke?.reason}${record} ${broke?.detail} (${verification.checked} record(s) before it fit)`;
}

async function main(): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    const { values } = parseArgs({ options: { workspace: { type: "string" }, from: { type: "string" }, to: { type: "string" }, json: { type: "boolean" } } });
    args = argsSchema.parse(values);
  } catch (error) {
    console.error(`usage: npm run audit:verify -- [--workspace <id>] [--from <position>] [--to <position>] [--json]\n${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const workspaces = args.workspace ? [args.workspace] : (await db().workspace.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } })).map((workspace) => workspace.id);
  let broken = 0;
  for (const workspaceId of workspaces) {
    const verification = await verifyChain(workspaceId, { from: args.from, to: args.to });
    if (!verification.ok) broken++;
    console.log(args.json ? JSON.stringify({ workspace_id: workspaceId, ...verification }) : describe(workspaceId, verification));
  }
  return broken > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
