import type { Metadata } from "next";
import { ProviderDetail } from "@/components/providers/provider-detail";
import { currentMembership } from "@/lib/auth/page-auth";

export const metadata: Metadata = { title: "Provider · MCP Console" };

export default async function ProviderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const membership = await currentMembership();
  return <ProviderDetail id={id} signedInWithSso={Boolean(membership?.viaSso)} />;
}
