import { resourceMetadataResponse } from "@/lib/oauth/resource-metadata";

// RFC 9728 metadata for /mcp/{server_identifier}.
export async function GET(_req: Request, { params }: { params: Promise<{ server: string }> }) {
  return resourceMetadataResponse((await params).server);
}
