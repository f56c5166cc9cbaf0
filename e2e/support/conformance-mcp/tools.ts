// The tools whose answers the suite checks as they are: content types, errors, logging, progress,
// a JSON Schema 2020-12 input schema, a tool with an Mcp-Param header, SSE resumption, and the
// diagnostic tools of the 2026-07-28 scenarios (server-stateless).
import { fromJsonSchema, inputRequired, inputResponse, McpServer, type ServerContext, type ServerNotifier } from "@modelcontextprotocol/server";
import { setTimeout as sleep } from "node:timers/promises";
import { PNG_BASE64, WAV_BASE64 } from "./media";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

/** How list changes reach clients: a session's own stream (2025-11-25) or the listen streams (2026-07-28). */
export type ListChanges = Pick<ServerNotifier, "toolsChanged" | "promptsChanged">;

export function registerTools(server: McpServer, listChanges: ListChanges): void {
  server.registerTool("test_simple_text", { description: "Returns a fixed text" }, () => text("This is a simple text response for testing."));
  server.registerTool("test_image_content", { description: "Returns a 1×1 PNG" }, () => ({
    content: [{ type: "image", data: PNG_BASE64, mimeType: "image/png" }],
  }));
  server.registerTool("test_audio_content", { description: "Returns a short WAV" }, () => ({
    content: [{ type: "audio", data: WAV_BASE64, mimeType: "audio/wav" }],
  }));
  server.registerTool("test_embedded_resource", { description: "Returns an embedded text resource" }, () => ({
    content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }],
  }));
  server.registerTool("test_multiple_content_types", { description: "Returns text, an image and a resource" }, () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: PNG_BASE64, mimeType: "image/png" },
      { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } },
    ],
  }));
  server.registerTool("test_error_handling", { description: "Always fails" }, () => ({
    isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
  }));

  // Logging is deprecated in 2026-07-28 (SEP-2577) but still in the suite: the SDK's log() applies
  // logging/setLevel (2025-11-25) and the request's _meta log level (2026-07-28).
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
  const log = (ctx: ServerContext, message: string) => ctx.mcpReq.log("info", message);
  const logThreeTimes = async (ctx: ServerContext) => {
    await log(ctx, "Tool execution started");
    await sleep(50);
    await log(ctx, "Tool processing data");
    await sleep(50);
    await log(ctx, "Tool execution completed");
    return text("Tool with logging executed successfully");
  };
  server.registerTool("test_tool_with_logging", { description: "Logs three messages while it runs" }, logThreeTimes);
  // server-stateless: with no log level in the request's _meta, none of these may be sent.
  server.registerTool("test_logging_tool", { description: "Logs while it runs (only when the request asks for logs)" }, logThreeTimes);

  server.registerTool("test_tool_with_progress", { description: "Reports progress 0, 50, 100 of 100" }, async (ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken, progress, total: 100, message: `${progress}%` } });
      }
      if (progress < 100) await sleep(50);
    }
    return text("Tool with progress executed successfully");
  });

  server.registerTool(
    "json_schema_2020_12_tool",
    { description: "Tool with JSON Schema 2020-12 features", inputSchema: fromJsonSchema(JSON_SCHEMA_2020_12) },
    (args) => text(`Received ${JSON.stringify(args)}`),
  );

  // SEP-2243: `region` travels in an Mcp-Param-Region header too; the SDK checks that the two agree.
  server.registerTool(
    "test_header_parameter",
    { description: "Echoes a parameter that is mirrored in an Mcp-Param header", inputSchema: fromJsonSchema(HEADER_PARAMETER_SCHEMA) },
    (args) => text(`region=${String((args as { region?: unknown }).region)}`),
  );

  // server-sse-polling (SEP-1699): the server ends the POST's SSE stream mid-call; the client
  // resumes with Last-Event-ID and gets the result from the event store.
  server.registerTool("test_reconnection", { description: "Closes its SSE stream mid-call, then answers" }, async (ctx) => {
    await sleep(100);
    ctx.http?.closeSSE?.();
    await sleep(200);
    return text("Reconnection test completed successfully");
  });

  // server-stateless: asking for sampling the client didn't declare is refused by the SDK with
  // -32021 MissingRequiredClientCapability before anything is sent.
  server.registerTool("test_missing_capability", { description: "Needs the client's sampling capability" }, (ctx) => {
    if (inputResponse(ctx.mcpReq.inputResponses, "answer").kind === "sampling") return text("The client's model answered");
    return inputRequired({ inputRequests: { answer: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Say hello" } }], maxTokens: 20 }) } });
  });

  server.registerTool("test_trigger_tool_change", { description: "Announces that the tool list changed" }, () => {
    listChanges.toolsChanged();
    return text("Tool list change announced");
  });
  server.registerTool("test_trigger_prompt_change", { description: "Announces that the prompt list changed" }, () => {
    listChanges.promptsChanged();
    return text("Prompt list change announced");
  });
}

const JSON_SCHEMA_2020_12 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
} as const;

const HEADER_PARAMETER_SCHEMA = {
  type: "object",
  properties: { region: { type: "string", description: "Where to run", "x-mcp-header": "Region" } },
  required: ["region"],
} as const;

