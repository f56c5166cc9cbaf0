import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { corsHeaders, originAllowed, preflight } from "@/lib/gateway/origin";

const LISTED = "https://inspector.example";
const CONSOLE = "http://127.0.0.1:3000"; // NEXTAUTH_URL in the unit tests' environment

beforeEach(() => {
  process.env.MCP_CORS_ORIGINS = `${LISTED}, http://localhost:6274`;
  resetEnvForTests();
});

afterEach(() => {
  delete process.env.MCP_CORS_ORIGINS;
  resetEnvForTests();
});

const preflightFrom = (origin: string | undefined, requestHeaders = "authorization, content-type") =>
  preflight(new Request("http://127.0.0.1:3000/mcp/x", { method: "OPTIONS", headers: { ...(origin ? { origin } : {}), "access-control-request-method": "POST", "access-control-request-headers": requestHeaders } }), ["GET", "POST", "DELETE"]);

describe("who may call the gateway from a web page", () => {
  it("a client with no Origin (not a browser), the console's own origin and the listed ones", () => {
    expect(originAllowed(null)).toBe(true);
    expect(originAllowed(CONSOLE)).toBe(true);
    expect(originAllowed(LISTED)).toBe(true);
    expect(originAllowed("HTTPS://Inspector.Example")).toBe(true);
    expect(originAllowed("http://localhost:6274")).toBe(true);
  });

  it("nobody else: another origin, a rebound name, another port or scheme, null and junk", () => {
    for (const origin of ["https://evil.example", "http://inspector.example", "https://inspector.example:8443", "http://127.0.0.1:3001", "http://localhost:3000", "null", "", "not a url"]) {
      expect(originAllowed(origin), origin).toBe(false);
    }
  });

  it("without MCP_CORS_ORIGINS only the console's own origin", () => {
    delete process.env.MCP_CORS_ORIGINS;
    resetEnvForTests();
    expect(originAllowed(LISTED)).toBe(false);
    expect(originAllowed(CONSOLE)).toBe(true);
  });
});

describe("CORS", () => {
  it("answers a listed origin, exposing the session id, never allowing credentials", () => {
    const headers = corsHeaders(LISTED);
    expect(headers["access-control-allow-origin"]).toBe(LISTED);
    expect(headers["access-control-expose-headers"]).toContain("mcp-session-id");
    expect(headers.vary).toBe("Origin");
    expect(headers).not.toHaveProperty("access-control-allow-credentials");
    expect(corsHeaders("https://evil.example")).toEqual({});
    expect(corsHeaders(null)).toEqual({});
    expect(corsHeaders(CONSOLE)).toEqual({}); // the console's own pages need none
  });

  it("a listed origin's preflight: the methods, the MCP headers and the Mcp-Param-* it asks for — no other header, no credentials", async () => {
    const answer = preflightFrom(LISTED, "authorization, content-type, mcp-session-id, mcp-param-region, x-evil, cookie");
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(answer.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE, OPTIONS");
    const allowed = answer.headers.get("access-control-allow-headers")?.split(", ") ?? [];
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id", "mcp-param-region"]));
    expect(allowed).not.toContain("x-evil");
    expect(allowed).not.toContain("cookie");
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
    expect(await answer.text()).toBe("");
  });

  it("a foreign origin's preflight is 403 with no CORS; one without an Origin just learns the methods", () => {
    const foreign = preflightFrom("https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const plain = preflightFrom(undefined);
    expect(plain.status).toBe(204);
    expect(plain.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
  });
});
