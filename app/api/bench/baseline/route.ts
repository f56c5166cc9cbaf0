// For `npm run bench` only (BENCH_BASELINE=true; a 404 otherwise): a route handler on the same
// server that answers, from memory, the page it was handed — what Next.js itself costs, for the
// list API to be measured against. Unauthenticated by design: never set BENCH_BASELINE on a console
// anyone else can reach.
import { readCappedText } from "@/lib/api/body";
import { env } from "@/lib/env";

let page: string | undefined;

const notFound = () => new Response(null, { status: 404 });

export async function POST(req: Request) {
  if (!env().BENCH_BASELINE) return notFound();
  try {
    page = await readCappedText(req, 1024 * 1024);
  } catch {
    return new Response(null, { status: 413 });
  }
  return new Response(null, { status: 204 });
}

export function GET() {
  if (!env().BENCH_BASELINE || page === undefined) return notFound();
  return new Response(page, { headers: { "content-type": "application/json" } });
}
