// Seeds a benchmark database through the console's own data layer (run with the react-server
// condition, DATABASE_URL set). Prints JSON for the benchmark runner.
//   seed.ts list <count>                              → { token }
//   seed.ts tool <issuer> <whoami url> <users JSON>    → { tokens, providerId }
//     users: [{ sub, email, refreshToken }]; the first is the admin who registers the provider.
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

type SeedUser = { sub: string; email: string; refreshToken: string };

async function seedTool(issuer: string, whoamiUrl: string, users: SeedUser[]) {
  await bootstrapOwner();
  const workspace = await db().workspace.findFirstOrThrow();
  const tokens: string[] = [];
  let providerId = "";
  for (const [index, user] of users.entries()) {
    const linked = await linkSsoAccount({ issuer, subject: user.sub, email: user.email, emailVerified: true, name: user.sub, refreshToken: user.refreshToken });
    if (!("userId" in linked)) throw new Error(`could not link ${user.sub}: ${linked.refused}`);
    const { userId } = linked;
    await db().membership.upsert({
      where: { userId_workspaceId: { userId, workspaceId: workspace.id } },
      update: { role: index === 0 ? "admin" : "member" },
      create: { userId, workspaceId: workspace.id, role: index === 0 ? "admin" : "member", createdAt: new Date() },
    });
    if (index === 0) {
      const provider = await createProvider({
        workspaceId: workspace.id,
        userId,
        input: createProviderSchema.parse({ name: "Whoami", server_identifier: "whoami", server_url: whoamiUrl, identity_mode: "idp_token" }),
      });
      providerId = provider.id;
    }
    tokens.push((await createApiToken({ userId, workspaceId: workspace.id, name: "bench" })).token);
  }
  return { tokens, providerId };
}

const result = mode === "list" ? await seedList(Number(args[0])) : await seedTool(args[0], args[1], JSON.parse(args[2]) as SeedUser[]);
process.stdout.write(JSON.stringify(result));
await db().$disconnect();
