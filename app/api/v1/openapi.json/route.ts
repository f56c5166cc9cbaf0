import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/env";

// GET /api/v1/openapi.json — the API's OpenAPI 3.1 document (public, so tools can fetch it)
export function GET() {
  return Response.json(openApiDocument(env().NEXTAUTH_URL));
}
