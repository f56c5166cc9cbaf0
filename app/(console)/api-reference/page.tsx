import type { Metadata } from "next";
import { ApiReference } from "@/components/api-reference/api-reference";
import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "API reference · MCP Console" };

export default function Page() {
  return <ApiReference document={openApiDocument(env().NEXTAUTH_URL)} />;
}
