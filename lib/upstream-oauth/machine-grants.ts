// Tokens the console gets with no person at the authorization server (SPEC §9, a provider whose
// authentication.grant_type is not authorization_code): the OAuth 2.1 client_credentials grant
// (SEP-1046), its client authenticated with a secret or with a JWT signed by its private key
// (private_key_jwt, RFC 7523 §2.2); and the RFC 7523 JWT-bearer grant with the deployment's
// workload identity token (SEP-1933), read from WORKLOAD_IDENTITY_TOKEN_FILE at each request
// because the platform (Kubernetes, a cloud's metadata agent) rotates it there.
import "server-only";
import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createPrivateKeyJwtAuth } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import type { AddClientAuthentication } from "@modelcontextprotocol/sdk/client/auth.js";
import { decodeJwt } from "jose";
import { env } from "@/lib/env";
import { JWT_BEARER_GRANT } from "@/lib/identity/grants";
import { sameIssuer } from "@/lib/upstream-oauth/client-provider";

const MAX_ASSERTION_BYTES = 16 * 1024;

export type MachineGrant = { type: "client_credentials" | "jwt_bearer"; clientId: string; privateKey?: string; scope?: string };

/** The grant isn't one the console can make right now; an operator or admin can fix what it says. */
export class MachineGrantUnavailable extends Error {}

/** The JWS algorithm a private key signs with: ES256/384/512 by curve, else RS256 (the schema admits no other keys). */
export function signingAlgorithm(pem: string): string {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ec") return "RS256";
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : "ES256";
}

/** private_key_jwt: the client's assertion, for the authorization server's issuer (its token endpoint's aud). */
export function privateKeyJwtAuthentication(grant: MachineGrant): AddClientAuthentication | undefined {
  if (!grant.privateKey) return undefined;
  return createPrivateKeyJwtAuth({ issuer: grant.clientId, subject: grant.clientId, privateKey: grant.privateKey, alg: signingAlgorithm(grant.privateKey), lifetimeSeconds: 60 });
}

async function workloadToken(): Promise<string> {
  const file = env().WORKLOAD_IDENTITY_TOKEN_FILE;
  if (!file) throw new MachineGrantUnavailable("this deployment has no workload identity token (WORKLOAD_IDENTITY_TOKEN_FILE is not set)");
  const token = await readFile(file, "utf8").catch(() => {
    throw new MachineGrantUnavailable("the workload identity token file can't be read");
  });
  const trimmed = token.trim();
  if (!trimmed || trimmed.length > MAX_ASSERTION_BYTES || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(trimmed)) throw new MachineGrantUnavailable("the workload identity token file doesn't hold a JWT");
  return trimmed;
}

/**
 * The workload token is the deployment's, not a workspace's: it goes only to an authorization
 * server it was made for (its `aud`) or one an operator lists in WORKLOAD_IDENTITY_AUDIENCES — never
 * to whatever server a workspace admin's provider happens to name, which could replay it elsewhere.
 */
function assertWorkloadAudience(token: string, issuer: string | undefined) {
  const listed = (env().WORKLOAD_IDENTITY_AUDIENCES ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  let audience: string[] = [];
  try {
    const { aud } = decodeJwt(token);
    audience = typeof aud === "string" ? [aud] : (aud ?? []);
  } catch {
    // a token with no readable claims is judged by the operator's list alone
  }
  if (issuer && [...listed, ...audience].some((allowed) => sameIssuer(allowed, issuer))) return;
  throw new MachineGrantUnavailable(`the deployment's workload identity token is presented only to authorization servers it was issued for or that an operator lists in WORKLOAD_IDENTITY_AUDIENCES, and ${issuer ? issuer.slice(0, 200) : "this server's"} is not one of them`);
}

/** The token request's grant parameters (the SDK adds resource and the client's authentication). `issuer`: the authorization server asked. */
export async function machineTokenRequest(grant: MachineGrant, issuer: string | undefined): Promise<URLSearchParams> {
  let params: URLSearchParams;
  if (grant.type === "client_credentials") {
    params = new URLSearchParams({ grant_type: "client_credentials" });
  } else {
    const assertion = await workloadToken();
    assertWorkloadAudience(assertion, issuer);
    params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion });
  }
  if (grant.scope) params.set("scope", grant.scope);
  return params;
}
