// Seeds a benchmark database through the console's own data layer (run with the react-server
// condition, DATABASE_URL set). Prints JSON for the benchmark runner.
//   seed.ts list <count>                              → { token }
//   seed.ts tool <issuer> <whoami url> <refresh token> → { token, providerId }
import { randomUUID } from "node:crypto";
import { createApiToken } from "@/lib/auth/api-tokens";
import { bootstrapOwner } from "@/lib/auth/bootstrap";
import { linkSsoAccount } from "@/lib/auth/sso";
import { db } from "@/lib/db";
import { createProvider } from "@/lib/providers/data";
import { toColumns } from "@/lib/providers/record";
import { createProviderSchema } from "@/lib/providers/schemas";

const [mode, ...args] = process.argv.slice(2);

async function seedList(count: number) {
  await bootstrapOwner();
  const user = await db().user.findFirstOrThrow();
  const workspace = await db().workspace.findFirstOrThrow();
  const start = Date.now() - count * 1000;
  for (let offset = 0; offset < count; offset += 2000) {
    const rows = [];
    for (let i = offset; i < Math.min(count, offset + 2000); i++) {
      const doc = createProviderSchema.parse({
        name: `Provider ${i}`,
        server_identifier: `p${i}`,
        server_url: `https://mcp${i}.example.com/mcp?key=k${i}`,
        headers: { "X-Api-Key": `sk-${i}-secret` },
      });
      rows.push({ id: randomUUID(), workspaceId: workspace.id, createdBy: user.id, createdAt: new Date(start + i * 1000), updatedAt: new Date(), ...toColumns(doc) });
    }
    await db().mcpProvider.createMany({ data: rows });
  }
  const { token } = await createApiToken({ userId: user.id, workspaceId: workspace.id, name: "bench" });
  return { token };
}

async function seedTool(issuer: string, whoamiUrl: string, refreshToken: string) {
  await bootstrapOwner();
  const workspace = await db().workspace.findFirstOrThrow();
  const linked = await linkSsoAccount({ issuer, subject: "bench-user", email: "bench-sso@example.com", emailVerified: true, name: "Bench", refreshToken });
  if (!("userId" in linked)) throw new Error(`could not link the bench user: ${linked.refused}`);
  const { userId } = linked;
  await db().membership.update({ where: { userId_workspaceId: { userId, workspaceId: workspace.id } }, data: { role: "admin" } });
  const provider = await createProvider({
    workspaceId: workspace.id,
    userId,
    input: createProviderSchema.parse({ name: "Whoami", server_identifier: "whoami", server_url: whoamiUrl, identity_mode: "idp_token" }),
  });
  const { token } = await createApiToken({ userId, workspaceId: workspace.id, name: "bench" });
  return { token, providerId: provider.id };
}

const result = mode === "list" ? await seedList(Number(args[0])) : await seedTool(args[0], args[1], args[2]);
process.stdout.write(JSON.stringify(result));
await db().$disconnect();
