import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Prefetched } from "@/components/prefetched";
import { ProviderDetail } from "@/components/providers/provider-detail";
import { pageCaller } from "@/lib/auth/page-auth";
import { env } from "@/lib/env";
import { prefetch } from "@/lib/prefetch";
import { getProvider } from "@/lib/providers/data";
import { signedFailure } from "@/lib/upstream-oauth/outcome";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  const caller = await pageCaller();
  const name = await getProvider({ workspaceId: caller.workspaceId, id }).then((provider) => provider.name, () => "Provider not found");
  return { title: `${name} · MCP Console` };
}

export default async function ProviderPage({ params, searchParams }: Params & { searchParams: Promise<{ connection?: string; message?: string; at?: string; sig?: string }> }) {
  const { id } = await params;
  const caller = await pageCaller();
  const failure = signedFailure(await searchParams, { userId: caller.userId, providerId: id });
  const queries = await prefetch.provider(caller, id);
  // Not in this workspace (deleted, another workspace's, mistyped): a 404 page that says so.
  if (queries.length === 0) notFound();
  return (
    <Prefetched queries={queries}>
      <ProviderDetail id={id} signedInWithSso={caller.viaSso} consoleUrl={env().NEXTAUTH_URL} connectFailure={failure} />
    </Prefetched>
  );
}
