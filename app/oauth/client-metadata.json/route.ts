import { NextResponse } from "next/server";
import { clientMetadataDocument } from "@/lib/upstream-oauth/connections";

// GET /oauth/client-metadata.json — the console's OAuth Client ID Metadata Document: an
// authorization server that supports them takes this URL as the console's client id instead of a
// registration (used when the console is served over https).
export function GET() {
  return NextResponse.json(clientMetadataDocument(), { headers: { "cache-control": "public, max-age=3600" } });
}
