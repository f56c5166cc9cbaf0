import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { otlpEndpoint, otlpResource } from "@/lib/observability/otlp";

const valid = { NEXTAUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64") };

describe("where each signal is sent", () => {
  it("appends v1/{signal} to the shared endpoint, and takes a signal's own endpoint as it is", () => {
    const shared = parseEnv({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" });
    expect(otlpEndpoint(shared, "traces")).toBe("http://collector:4318/v1/traces");
    expect(otlpEndpoint(shared, "logs")).toBe("http://collector:4318/v1/logs");
    const own = parseEnv({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/otlp", OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "https://siem.example/ingest/otlp" });
    expect(otlpEndpoint(own, "traces")).toBe("http://collector:4318/otlp/v1/traces");
    expect(otlpEndpoint(own, "logs")).toBe("https://siem.example/ingest/otlp");
  });

  it("sends nothing when nothing is set, or the SDK is disabled", () => {
    expect(otlpEndpoint(parseEnv(valid), "traces")).toBeUndefined();
    expect(otlpEndpoint(parseEnv({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }), "traces")).toBeUndefined();
  });

  it("names the service: OTEL_SERVICE_NAME over OTEL_RESOURCE_ATTRIBUTES' service.name", () => {
    const resource = otlpResource(parseEnv({ ...valid, OTEL_SERVICE_NAME: "console-eu", OTEL_RESOURCE_ATTRIBUTES: "service.name=ignored,deployment.environment.name=prod" }));
    expect(resource.attributes).toMatchObject({ "service.name": "console-eu", "deployment.environment.name": "prod", "telemetry.sdk.language": "nodejs" });
    expect(otlpResource(parseEnv(valid)).attributes["service.name"]).toBe("mcp-console");
  });
});
