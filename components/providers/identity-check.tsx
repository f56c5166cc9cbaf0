"use client";
// "Check as me" (SPEC §10): which strategy carries the user to this server, its audience, what it
// needs, and the decoded claims of the credential the next call would carry — never the token — or
// the exact reason it can't be had. Admins may check as any member. No MCP request reaches the server.
import { signIn } from "next-auth/react";
import { useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { errorMessage } from "@/lib/client/api";
import { useIdentityCheck, useMembers, type IdentityCheck } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";
import { IDENTITY_MODE_LABELS, IDENTITY_MODES, type IdentityMode } from "@/lib/identity/modes";
import type { Provider } from "@/lib/providers/schemas";

const OTHER_STRATEGIES: Record<string, string> = {
  static_headers: "The provider's own headers",
  oauth_shared: "OAuth — the workspace's connection",
  oauth_per_user: "OAuth — your own connection",
  unsupported: "A mode this console doesn't know",
};

function strategyLabel(strategy: string): string {
  return (IDENTITY_MODES as readonly string[]).includes(strategy) ? IDENTITY_MODE_LABELS[strategy as IdentityMode] : (OTHER_STRATEGIES[strategy] ?? strategy);
}

export function IdentityCheckPanel({ provider, isAdmin, sso, signedInWithSso }: { provider: Provider; isAdmin: boolean; sso: boolean; signedInWithSso: boolean }) {
  const check = useIdentityCheck(provider.id);
  const [asUser, setAsUser] = useState("");
  const pickerId = useId();
  return (
    <section aria-labelledby="identity-check-heading" className="space-y-3 rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="identity-check-heading" className="text-lg font-semibold">Identity check</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">What the next call to {provider.name} would carry, without calling it: the token&apos;s claims, never the token.</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {isAdmin && <MemberPicker id={pickerId} value={asUser} onChange={setAsUser} />}
          <Button variant="primary" onClick={() => { check.mutate(asUser || undefined); }} disabled={check.isPending}>
            {check.isPending ? "Checking…" : asUser ? "Check as member" : "Check as me"}
          </Button>
        </div>
      </div>
      {check.isError && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{errorMessage(check.error)}</p>}
      {check.data && <CheckResult result={check.data} sso={sso} signedInWithSso={signedInWithSso} asSelf={!asUser} />}
    </section>
  );
}

function MemberPicker({ id, value, onChange }: { id: string; value: string; onChange: (userId: string) => void }) {
  const members = useMembers();
  return (
    <label htmlFor={id} className="flex items-center gap-2 whitespace-nowrap text-sm">
      <span>Check as</span>
      <select id={id} value={value} onChange={(event) => { onChange(event.target.value); }} className={`${inputClass} w-auto py-1.5`}>
        <option value="">me</option>
        {members.data?.data.map((member) => (
          <option key={member.user_id} value={member.user_id}>
            {member.email}
          </option>
        ))}
      </select>
    </label>
  );
}

function CheckResult({ result, sso, signedInWithSso, asSelf }: { result: IdentityCheck; sso: boolean; signedInWithSso: boolean; asSelf: boolean }) {
  const { claims, error } = result;
  const ok = error === null;
  return (
    <div role="status" aria-label="Identity check result" className={`space-y-2 rounded-lg border p-3 text-sm ${ok ? "border-emerald-600/30 bg-emerald-50 text-emerald-950 dark:bg-emerald-950 dark:text-emerald-100" : "border-amber-500/40 bg-amber-50 text-amber-950 dark:bg-amber-950 dark:text-amber-100"}`}>
      <p className="font-medium">
        {ok ? "Ready" : "No credential"} as {result.user.email} · {strategyLabel(result.strategy)}
      </p>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1">
        <dt className="text-xs font-medium uppercase tracking-wide opacity-80">Audience</dt>
        <dd className="break-all font-mono text-xs">{result.audience ?? "—"}</dd>
        <dt className="text-xs font-medium uppercase tracking-wide opacity-80">Needs</dt>
        <dd className="text-xs">{result.needs}</dd>
      </dl>
      {error && (
        <>
          <p>{error.message}</p>
          {asSelf && sso && (error.code === "identity_required" || error.code === "identity_refused") && (
            <Button size="sm" onClick={() => void signIn("oidc", { callbackUrl: window.location.pathname })}>
              {signedInWithSso ? "Sign in with SSO again" : "Sign in with SSO"}
            </Button>
          )}
        </>
      )}
      {ok && (claims ? <Claims claims={claims} /> : <p className="text-xs">The credential isn&apos;t a JWT: there are no claims to show.</p>)}
      <p className="text-xs opacity-80">Checked {relativeTime(result.checked_at)}. The token itself is never shown.</p>
    </div>
  );
}

const CLAIM_LABELS: [keyof NonNullable<IdentityCheck["claims"]>, string][] = [
  ["sub", "Subject (sub)"],
  ["aud", "Audience (aud)"],
  ["iss", "Issuer (iss)"],
  ["scope", "Scope"],
  ["azp", "Authorized party (azp)"],
  ["client_id", "Client (client_id)"],
  ["exp", "Expires (exp)"],
  ["iat", "Issued (iat)"],
];

function Claims({ claims }: { claims: NonNullable<IdentityCheck["claims"]> }) {
  return (
    <table className="w-full text-left text-xs">
      <caption className="sr-only">Claims of the token the next call would carry</caption>
      <tbody>
        {CLAIM_LABELS.filter(([name]) => claims[name] !== undefined).map(([name, label]) => (
          <tr key={name} className="border-t border-current/10">
            <th scope="row" className="w-44 whitespace-nowrap py-1 pr-4 font-medium">{label}</th>
            <td className="break-all py-1 font-mono">{claimText(name, claims[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function claimText(name: string, value: unknown): string {
  if ((name === "exp" || name === "iat") && typeof value === "number") {
    const iso = new Date(value * 1000).toISOString();
    return `${iso.replace(".000Z", "Z")} (${relativeTime(iso)})`;
  }
  return Array.isArray(value) ? value.join(", ") : String(value);
}
