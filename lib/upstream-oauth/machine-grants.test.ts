// The deployment's workload identity token goes only where it may: an authorization server it was
// issued for (its aud) or one an operator listed — never where a workspace's provider points.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { machineTokenRequest, MachineGrantUnavailable } from "@/lib/upstream-oauth/machine-grants";

const AS = "https://auth.example.com";
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function workloadToken(aud: string | string[]) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "workload-")), "token");
  writeFileSync(file, `${base64url({ alg: "RS256" })}.${base64url({ iss: "https://platform.example", sub: "system:serviceaccount:console", aud })}.sig`);
  vi.stubEnv("WORKLOAD_IDENTITY_TOKEN_FILE", file);
  resetEnvForTests();
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvForTests();
});

const grant = { type: "jwt_bearer" as const, clientId: "console" };

describe("the workload identity grant", () => {
  it("presents the token to an authorization server its aud names", async () => {
    workloadToken([AS, "https://other.example"]);
    const params = await machineTokenRequest(grant, `${AS}/`);
    expect(params.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(params.get("assertion")).toMatch(/\.sig$/);
  });

  it("presents it to one an operator lists in WORKLOAD_IDENTITY_AUDIENCES", async () => {
    workloadToken("https://sts.example");
    vi.stubEnv("WORKLOAD_IDENTITY_AUDIENCES", `https://elsewhere.example, ${AS}`);
    resetEnvForTests();
    expect((await machineTokenRequest(grant, AS)).has("assertion")).toBe(true);
  });

  it("refuses any other authorization server, and one it can't name, before anything is sent", async () => {
    workloadToken("https://sts.example");
    await expect(machineTokenRequest(grant, "https://attacker.example")).rejects.toThrow(MachineGrantUnavailable);
    await expect(machineTokenRequest(grant, undefined)).rejects.toThrow(/WORKLOAD_IDENTITY_AUDIENCES/);
  });
});
