// GET /api/health/live — the process is up and serving (for a load balancer's liveness probe)
export function GET() {
  return Response.json({ status: "live" }, { headers: { "cache-control": "no-store" } });
}
