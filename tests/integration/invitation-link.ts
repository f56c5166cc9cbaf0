// An invitation link opened and answered as the invitation page does (POST /invite/{token}/accept).
import { NextRequest } from "next/server";
import { POST as acceptRoute } from "@/app/invite/[token]/accept/route";
import { ORIGIN } from "./helpers";

export async function acceptInvitationLink(url: string | null, body: Record<string, unknown>, cookie?: string) {
  if (!url) throw new Error("The invitation's link was mailed, not shown");
  const token = new URL(url).pathname.split("/")[2];
  const res = await acceptRoute(
    new NextRequest(`${ORIGIN}/invite/${token}/accept`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) }),
    { params: Promise.resolve({ token }) },
  );
  return { status: res.status, json: (await res.json()) as { detail?: string; workspace_id?: string; errors?: { path: string }[] } };
}
