import type { Metadata } from "next";
import { ProviderList } from "@/components/providers/provider-list";

export const metadata: Metadata = { title: "MCP providers · MCP Console" };

export default function ProvidersPage() {
  return <ProviderList />;
}
