import type { Metadata } from "next";
import { ActivityPage } from "@/components/activity/activity-page";
import { pageCaller } from "@/lib/auth/page-auth";

export const metadata: Metadata = { title: "Activity · MCP Console" };

export default async function Page() {
  const caller = await pageCaller();
  return <ActivityPage userId={caller.userId} />;
}
