import type { Metadata } from "next";
import { Prefetched } from "@/components/prefetched";
import { ProviderDetail } from "@/components/providers/provider-detail";
import { pageCaller } from "@/lib/auth/page-auth";
import { env } from "@/lib/env";
import { prefetch } from "@/lib/prefetch";
import { signedFailure } from "@/lib/upstream-oauth/outcome";

export const metadata: Metadata = { title: "Provider · MCP Console" };

export default async function ProviderPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ connection?: string; message?: string; sig?: string }> }) {
  const { id } = await params;
  const failure = signedFailure(await searchParams);
  const caller = await pageCaller();
  return (
    <Prefetched queries={await prefetch.provider(caller, id)}>
      <ProviderDetail id={id} signedInWithSso={caller.viaSso} consoleUrl={env().NEXTAUTH_URL} connectFailure={failure} />
    </Prefetched>
  );
}
