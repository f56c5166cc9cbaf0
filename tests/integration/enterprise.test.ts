// ENTERPRISE_ENABLED=true for this file only (each test file runs in its own process).
import { beforeAll, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { call, createActor, uniqueProvider } from "./helpers";

beforeAll(() => {
  process.env.ENTERPRISE_ENABLED = "true";
  resetEnvForTests();
});

describe("with enterprise enabled", () => {
  it("reports identity forwarding as available and active where the mode is on", async () => {
    const admin = await createActor("admin");
    const features = await call(admin, "GET /api/v1/features");
    expect(features.json).toMatchObject({ enterprise_enabled: true, identity_modes: ["off", "idp_token", "token_exchange", "id_jag"] });

    const on = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider({ identity_mode: "idp_token" }) });
    expect(on.json).toMatchObject({ identity_mode: "idp_token", identity_forwarding_active: true });
    const off = await call(admin, "POST /api/v1/mcp-providers", { body: uniqueProvider() });
    expect(off.json).toMatchObject({ identity_mode: "off", identity_forwarding_active: false });

    const toggled = await call(admin, "PATCH /api/v1/mcp-providers/{id}", { params: { id: on.json.id }, body: { identity_mode: "off" } });
    expect(toggled.json).toMatchObject({ identity_mode: "off", identity_forwarding_active: false });
  });
});
