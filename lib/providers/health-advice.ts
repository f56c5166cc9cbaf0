// What to do about a failed discovery or Test connection, offering only what this provider has: a
// Connect only with OAuth a person connects (by whom: the user, or an admin for the workspace) —
// never for a machine grant, where the console gets its own tokens — an SSO sign-in only when it
// forwards the user's identity, and the Connect's place named from where it is read.
import { isInteractive, type DiscoveryFailure, type OAuthConnectionKind, type OAuthGrant } from "@/lib/providers/schemas";

/** How a provider's OAuth reads for advice: who connects, or "machine" (nobody: a machine grant). */
export type OAuthAdvice = OAuthConnectionKind | "machine";

export function oauthAdviceOf(connection: OAuthConnectionKind | null | undefined, grant: OAuthGrant | undefined): OAuthAdvice | null {
  if (!connection) return null;
  return isInteractive(grant) ? connection : "machine";
}

export type AdviceContext = {
  /** The provider forwards the user's sign-in (identity_mode is not "off"). */
  forwarding: boolean;
  /** Its OAuth connection, if it uses OAuth ("machine": a machine grant, with nothing to connect). */
  oauth: OAuthAdvice | null;
  /** Where the advice is read: the list, the provider's own page, or the dialog (`saved`: editing a provider that exists). */
  where: "list" | "page" | { dialog: { saved: boolean } };
};

const FIXED: Record<Exclude<DiscoveryFailure, "unauthorized" | "identity">, string> = {
  unreachable: "Check the URL and that the server is running and reachable from the console.",
  blocked: "Private and local addresses are off limits unless the console's operator allows them; this is not a setting here.",
  timeout: "The server didn't answer in time. Try again, or raise the timeout under Configuration.",
  protocol: "Check that the URL is the server's Streamable HTTP endpoint (often ending in /mcp).",
};

/** "Connect your account on the provider's page", as fits the connection's kind and where it is read; undefined without OAuth. */
function connectAdvice({ oauth, where }: AdviceContext): string | undefined {
  if (!oauth || oauth === "machine") return undefined;
  const what = oauth === "per_user" ? "connect your account" : "an admin connects it for the workspace";
  if (where === "page") return `${what} with Connect on this page`;
  if (where === "list") return `${what} on the provider's page`;
  return where.dialog.saved ? `${what} on the provider's page` : `save it, then ${what} on its page`;
}

const MACHINE_ADVICE = "Check the client ID and its secret or private key under Authentication: the console gets its own tokens, there is nothing to connect.";

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

export function failureAdvice(failure: DiscoveryFailure, context: AdviceContext): string {
  if (failure !== "unauthorized" && failure !== "identity") return FIXED[failure];
  const connect = connectAdvice(context);
  // The console's own token was refused, or not given: its client is what to look at.
  if (context.oauth === "machine" && !context.forwarding) return MACHINE_ADVICE;
  if (failure === "unauthorized") {
    return connect ? sentence(`Check its OAuth settings under Authentication, or ${connect}`) : "Check the credentials in the provider's headers.";
  }
  const signIn = context.forwarding ? "sign in again with SSO: your sign-in is what its calls carry" : undefined;
  const options = [signIn, connect].filter((option): option is string => option !== undefined);
  return options.length > 0 ? sentence(options.join(", or ")) : "Sign in again.";
}
