import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await getServerSession(authOptions());
  if (!session) redirect("/signin");
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-2xl font-semibold">MCP Console</h1>
      <p className="mt-2 text-zinc-500">Signed in as {session.user?.email}.</p>
      <p className="mt-6">
        The REST API is documented at <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
      </p>
    </main>
  );
}
