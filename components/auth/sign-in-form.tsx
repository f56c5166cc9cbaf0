"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

const ERRORS: Record<string, string> = {
  CredentialsSignin: "That email and password don't match an account.",
  OAuthSignin: "Single sign-on could not start. Try again.",
  OAuthCallback: "Single sign-on did not complete. Try again.",
  Callback: "Your account could not be signed in. Ask an admin to add you to a workspace.",
  RateLimited: "Too many sign-in attempts. Wait a few minutes and try again.",
};

export function SignInForm({ sso, callbackUrl, initialError }: { sso: boolean; callbackUrl: string; initialError?: string }) {
  const [error, setError] = useState(initialError ? ERRORS[initialError] ?? "Sign-in failed. Try again." : "");
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError("");
    // A refused attempt (429: too many tries) makes next-auth's client throw instead of answering.
    const result = await signIn("credentials", {
      email: String(form.get("email")),
      password: String(form.get("password")),
      redirect: false,
      callbackUrl,
    }).catch(() => ({ ok: false, error: "RateLimited" }));
    if (result?.ok && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setBusy(false);
    setError(ERRORS[result?.error ?? ""] ?? "Sign-in failed. Try again.");
  }

  return (
    <div className="mt-6 space-y-6">
      <form onSubmit={onSubmit} className="space-y-4" aria-describedby={error ? "signin-error" : undefined}>
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
          onClick={() => signIn("oidc", { callbackUrl })}
          className="w-full rounded-md border border-zinc-300 px-3 py-2 text-sm font-medium hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Sign in with SSO
        </button>
      )}
    </div>
  );
}
