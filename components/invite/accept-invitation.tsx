"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input } from "@/components/ui/field";

type Problem = { detail?: string; errors?: { path: string; message: string }[] };

/** Accepts by fetch; a new account then signs in with the password it just chose. */
export function AcceptInvitation({ token, email, newAccount }: { token: string; email: string; newAccount: boolean }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>({});
  const fieldError = (path: string) => problem.errors?.find((error) => error.path === path)?.message;

  async function accept(event: React.SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem({});
    try {
      const res = await fetch(`/invite/${encodeURIComponent(token)}/accept`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(newAccount ? { name, password } : {}),
      });
      if (!res.ok) {
        setProblem((await res.json().catch(() => ({}))) as Problem);
        setBusy(false);
        return;
      }
      if (newAccount) {
        const result = await signIn("credentials", { email, password, redirect: false, callbackUrl: "/settings/providers" });
        if (!result?.ok || result.error) {
          setProblem({ detail: "Your account is ready, but signing in failed; sign in with your new password." });
          setBusy(false);
          return;
        }
      }
      window.location.replace(`${window.location.origin}/settings/providers`);
    } catch {
      setProblem({ detail: "The console can't be reached; check your connection and try again." });
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void accept(event)} className="space-y-4">
      {newAccount && (
        <>
          <Field id="invite-name" label="Your name" error={fieldError("name")}>
            <Input {...fieldAria("invite-name", fieldError("name"))} required maxLength={100} autoComplete="name" value={name} onChange={(event) => { setName(event.target.value); }} />
          </Field>
          <Field id="invite-password" label="Password" hint="At least 12 characters" error={fieldError("password")}>
            <Input {...fieldAria("invite-password", fieldError("password"), "hint")} type="password" required minLength={12} maxLength={200} autoComplete="new-password" value={password} onChange={(event) => { setPassword(event.target.value); }} />
          </Field>
        </>
      )}
      {problem.detail && !problem.errors?.length && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{problem.detail}</p>}
      <Button type="submit" variant="primary" disabled={busy}>{busy ? "Joining…" : newAccount ? "Create account and join" : "Join"}</Button>
    </form>
  );
}

/** With SSO the identity provider proves the address: sign in, then join on this same page. */
export function SsoJoinButton({ token }: { token: string }) {
  return (
    <Button variant="primary" onClick={() => void signIn("oidc", { callbackUrl: `/invite/${encodeURIComponent(token)}` })}>
      Sign in with SSO
    </Button>
  );
}
