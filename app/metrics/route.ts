import { serveMetrics } from "@/lib/observability/scrape";

// GET /metrics — this instance's Prometheus metrics (Bearer METRICS_TOKEN, or an owner's or admin's API token for its workspace's)
export const GET = serveMetrics;
