import type { Metadata } from "next";
import { ApiTokensPage } from "@/components/api-tokens/api-tokens-page";
import { Prefetched } from "@/components/prefetched";
import { pageCaller } from "@/lib/auth/page-auth";
import { prefetch } from "@/lib/prefetch";

export const metadata: Metadata = { title: "API tokens · MCP Console" };

export default async function Page() {
  const caller = await pageCaller();
  return (
    <Prefetched queries={[await prefetch.apiTokens(caller)]}>
      <ApiTokensPage />
    </Prefetched>
  );
}
