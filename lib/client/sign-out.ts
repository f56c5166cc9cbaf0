// Signing out without next-auth's client bundle: the same two requests its signOut() makes.
export async function signOut(callbackUrl = "/signin") {
  try {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    await fetch("/api/auth/signout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl, json: "true" }),
    });
  } finally {
    window.location.assign(callbackUrl);
  }
}
