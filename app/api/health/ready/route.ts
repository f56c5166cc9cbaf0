import { databaseReady } from "@/lib/health";

// GET /api/health/ready — the console can serve requests: its database answers (readiness probe)
export async function GET() {
  const ready = await databaseReady();
  return Response.json(
    { status: ready ? "ready" : "unavailable" },
    { status: ready ? 200 : 503, headers: { "cache-control": "no-store", ...(ready ? {} : { "retry-after": "5" }) } },
  );
}
