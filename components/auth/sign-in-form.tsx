"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";
import { signInErrorMessage } from "@/components/auth/sign-in-errors";

export function SignInForm({ sso, callbackUrl, initialError }: { sso: boolean; callbackUrl: string; initialError?: string }) {
  const [error, setError] = useState(signInErrorMessage(initialError));
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError("");
    const result = await signIn("credentials", {
      email: formText(form, "email"),
      password: formText(form, "password"),
      redirect: false,
      callbackUrl,
    }).catch(() => undefined);
    if (!result) {
      setBusy(false);
      setError("Can't reach the console. Check your connection and try again.");
      return;
    }
    if (result.ok && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setBusy(false);
    setError(signInErrorMessage(result.error ?? "Callback"));
  }

  return (
    <div className="mt-6 space-y-6">
      <form onSubmit={(event) => void onSubmit(event)} className="space-y-4" aria-describedby={error ? "signin-error" : undefined}>
        <fieldset disabled={busy} className="space-y-4">
          <label className="block text-sm font-medium">
            Email
            <input name="email" type="email" autoComplete="username" required className="mt-1 block w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 dark:border-zinc-700" />
          </label>
          <label className="block text-sm font-medium">
            Password
            <input name="password" type="password" autoComplete="current-password" required className="mt-1 block w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 dark:border-zinc-700" />
          </label>
          {error && (
            <p id="signin-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
          <button type="submit" className="w-full rounded-md bg-zinc-900 px-3 py-2 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900">
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </fieldset>
      </form>
      {sso && (
        <button
          type="button"
          onClick={() => void signIn("oidc", { callbackUrl })}
          className="w-full rounded-md border border-zinc-300 px-3 py-2 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Sign in with SSO
        </button>
      )}
    </div>
  );
}

function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
