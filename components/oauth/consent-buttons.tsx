"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";

// The answer goes by fetch, then the browser follows where it leads: the authorization server
// sends it on to the app's own redirect URI, which a plain form's `form-action 'self'` would block.
/** `account`: who the page showed as answering; the server refuses the answer if that has changed. */
export function ConsentButtons({ uid, account }: { uid: string; account: string }) {
  const [pending, setPending] = useState<"allow" | "deny" | undefined>();
  const [problem, setProblem] = useState("");

  async function answer(decision: "allow" | "deny") {
    setPending(decision);
    setProblem("");
    try {
      const res = await fetch(`/oauth/authorize/${encodeURIComponent(uid)}/decision`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ decision, account }),
      });
      const body = (await res.json().catch(() => ({}))) as { redirect_to?: string; detail?: string };
      if (res.ok && body.redirect_to) {
        window.location.assign(body.redirect_to);
        return;
      }
      setProblem(body.detail ?? "Something went wrong; go back to the app and connect again.");
    } catch {
      setProblem("The console can't be reached; check your connection and try again.");
    }
    setPending(undefined);
  }

  return (
    <div className="mt-6">
      {problem ? <p role="alert" className="mb-3 text-sm text-red-600 dark:text-red-400">{problem}</p> : null}
      <div className="flex justify-end gap-2">
        <Button disabled={Boolean(pending)} onClick={() => void answer("deny")}>
          {pending === "deny" ? "Denying…" : "Deny"}
        </Button>
        <Button variant="primary" disabled={Boolean(pending)} onClick={() => void answer("allow")}>
          {pending === "allow" ? "Allowing…" : "Allow"}
        </Button>
      </div>
    </div>
  );
}
