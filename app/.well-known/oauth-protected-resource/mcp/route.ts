import { resourceMetadataResponse } from "@/lib/oauth/resource-metadata";

// RFC 9728 metadata for /mcp.
export function GET() {
  return resourceMetadataResponse();
}
