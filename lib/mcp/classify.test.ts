// How a failure to reach an MCP server reads to the user: the same words whichever path met it —
// fetch (the SDK's client: the system's code on the error's cause) or node:http (the relay: on the error).
import { describe, expect, it } from "vitest";
import { classify } from "@/lib/mcp/client";

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code, errno: -111, syscall: "connect" });

describe("classify", () => {
  it("reads the relay's network and TLS failures as an unreachable server, naming the code and not the address", () => {
    expect(classify(systemError("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.7:4711"))).toMatchObject({ failure: "unreachable", message: "the server is unreachable (ECONNREFUSED)" });
    expect(classify(Object.assign(new Error("connect timed out after 10 s"), { code: "ETIMEDOUT" }))).toMatchObject({ failure: "unreachable", message: "the server is unreachable (ETIMEDOUT)" });
    expect(classify(Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" }))).toMatchObject({ failure: "unreachable", message: "the server is unreachable (CERT_HAS_EXPIRED)" });
    expect(classify(Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: internal.example"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" }))).toMatchObject({ failure: "unreachable" });
  });

  it("reads fetch's the same way: the code on the cause", () => {
    expect(classify(new TypeError("fetch failed", { cause: systemError("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.7:4711") }))).toMatchObject({ failure: "unreachable", message: "the server is unreachable (ECONNREFUSED)" });
  });

  it("leaves other codes alone: a server that answered is not unreachable, whatever code its error carries", () => {
    expect(classify(Object.assign(new Error("the server's version check failed"), { code: "ERA_NEGOTIATION_FAILED" }))).not.toMatchObject({ failure: "unreachable" });
    expect(classify(Object.assign(new Error("no such file"), { code: "ENOENT" }))).not.toMatchObject({ failure: "unreachable" });
    expect(classify(Object.assign(new Error("bad argument"), { code: "ERR_INVALID_ARG_TYPE" }))).not.toMatchObject({ failure: "unreachable" });
  });
});
