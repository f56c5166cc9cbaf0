// Tools that need the user or the client's model: elicitation (form and URL mode, SEP-1034
// defaults, SEP-1330 enums), sampling and roots. Written once as multi-round-trip handlers
// (SEP-2322): on 2026-07-28 the client answers an InputRequiredResult and retries; on 2025-11-25
// the SDK sends the same requests to the client itself and re-enters the handler with the answers.
import { acceptedContent, inputRequired, inputResponse, McpServer, type ElicitInputParams, type InputRequest, type RequestStateCodec, type ServerContext } from "@modelcontextprotocol/server";
import { z } from "zod";
import { clientCapabilities } from "./client-capabilities";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

/** Ask the user once; on the retry, report what they did as `<prefix>: action=…, content={…}`. */
function askThenReport(ctx: ServerContext, prefix: string, question: ElicitInputParams) {
  const answer = inputResponse(ctx.mcpReq.inputResponses, "answer");
  if (answer.kind !== "elicit") return inputRequired({ inputRequests: { answer: inputRequired.elicit(question) } });
  return text(`${prefix}: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
}

const NAME_SCHEMA = { type: "object" as const, properties: { name: { type: "string" as const } }, required: ["name"] };

export type StepState = { tool: string; step: number; name?: string };

export function registerInputTools(server: McpServer, states: RequestStateCodec<StepState>): void {
  server.registerTool(
    "test_sampling",
    { description: "Asks the client's model to answer a prompt", inputSchema: z.object({ prompt: z.string().describe("The prompt to send to the LLM") }) },
    ({ prompt }, ctx) => {
      const answer = inputResponse(ctx.mcpReq.inputResponses, "completion");
      if (answer.kind !== "sampling") {
        return inputRequired({ inputRequests: { completion: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 }) } });
      }
      const content = answer.result.content;
      const reply = !Array.isArray(content) && content.type === "text" ? content.text : JSON.stringify(content);
      return text(`LLM response: ${reply}`);
    },
  );

  server.registerTool(
    "test_elicitation",
    { description: "Asks the user for a username and an email", inputSchema: z.object({ message: z.string().describe("The message to show the user") }) },
    ({ message }, ctx) =>
      askThenReport(ctx, "User response", {
        message,
        requestedSchema: {
          type: "object",
          properties: { username: { type: "string", description: "User's response" }, email: { type: "string", description: "User's email address" } },
          required: ["username", "email"],
        },
      }),
  );

  server.registerTool("test_elicitation_sep1034_defaults", { description: "Asks for values of every primitive type, each with a default" }, (ctx) =>
    askThenReport(ctx, "Elicitation completed", {
      message: "Please review and update the form fields with defaults",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "User name", default: "John Doe" },
          age: { type: "integer", description: "User age", default: 30 },
          score: { type: "number", description: "User score", default: 95.5 },
          status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
          verified: { type: "boolean", description: "Verification status", default: true },
        },
      },
    }),
  );

  server.registerTool("test_elicitation_sep1330_enums", { description: "Asks for choices in each of the five enum forms" }, (ctx) =>
    askThenReport(ctx, "Elicitation completed", {
      message: "Please select options from the enum fields",
      requestedSchema: {
        type: "object",
        properties: {
          untitledSingle: { type: "string", description: "Untitled single-select", enum: ["option1", "option2", "option3"] },
          titledSingle: {
            type: "string",
            description: "Titled single-select",
            oneOf: [{ const: "value1", title: "First Option" }, { const: "value2", title: "Second Option" }, { const: "value3", title: "Third Option" }],
          },
          legacyEnum: { type: "string", description: "Legacy titled enum", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
          untitledMulti: { type: "array", description: "Untitled multi-select", items: { type: "string", enum: ["option1", "option2", "option3"] } },
          titledMulti: {
            type: "array",
            description: "Titled multi-select",
            items: { anyOf: [{ const: "value1", title: "First Choice" }, { const: "value2", title: "Second Choice" }, { const: "value3", title: "Third Choice" }] },
          },
        },
      },
    }),
  );

  server.registerTool("test_url_elicitation", { description: "Sends the user to a URL (URL-mode elicitation) before answering" }, (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, "authorize");
    if (answer.kind !== "elicit") {
      return inputRequired({ inputRequests: { authorize: inputRequired.elicitUrl({ message: "Authorize the test service", url: "https://example.com/authorize" }) } });
    }
    return text(`URL elicitation completed: action=${answer.action}`);
  });

  // server-stateless: the answer's stream may carry only this request's result, never a request.
  server.registerTool("test_streaming_elicitation", { description: "Asks the user a question by way of the result" }, () =>
    inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }) } }),
  );

  server.registerTool("test_input_required_result_elicitation", { description: "Greets the user by name, asking for it first" }, (ctx) => {
    const answer = acceptedContent<{ name?: unknown }>(ctx.mcpReq.inputResponses, "user_name");
    if (typeof answer?.name !== "string") {
      return inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }) } });
    }
    return text(`Hello, ${answer.name}!`);
  });

  server.registerTool("test_input_required_result_sampling", { description: "Asks the client's model a question" }, (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, "capital_question");
    if (answer.kind !== "sampling") {
      return inputRequired({ inputRequests: { capital_question: capitalQuestion() } });
    }
    const content = answer.result.content;
    return text(`The model answered: ${!Array.isArray(content) && content.type === "text" ? content.text : JSON.stringify(content)}`);
  });

  server.registerTool("test_input_required_result_list_roots", { description: "Lists the client's roots" }, (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, "client_roots");
    if (answer.kind !== "roots") return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
    return text(`Client roots: ${answer.roots.map((root) => root.uri).join(", ") || "(none)"}`);
  });

  server.registerTool("test_input_required_result_request_state", { description: "Asks for confirmation and checks its own state on the retry" }, async (ctx) => {
    const state = ctx.mcpReq.requestState<StepState>();
    const answer = inputResponse(ctx.mcpReq.inputResponses, "confirm");
    if (state?.tool !== "request_state" || answer.kind !== "elicit") {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({ message: "Please confirm", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }),
        },
        requestState: await states.mint({ tool: "request_state", step: 1 }),
      });
    }
    return text(`state-ok: confirmation ${answer.action}`);
  });

  server.registerTool("test_input_required_result_multiple_inputs", { description: "Asks for a name, a greeting and the roots at once" }, async (ctx) => {
    const responses = ctx.mcpReq.inputResponses;
    const name = acceptedContent<{ name?: unknown }>(responses, "user_name");
    const greeting = inputResponse(responses, "greeting");
    const roots = inputResponse(responses, "client_roots");
    if (ctx.mcpReq.requestState<StepState>()?.tool !== "multiple_inputs" || typeof name?.name !== "string" || greeting.kind !== "sampling" || roots.kind !== "roots") {
      return inputRequired({
        inputRequests: {
          user_name: inputRequired.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA }),
          greeting: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Generate a greeting" } }], maxTokens: 50 }),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await states.mint({ tool: "multiple_inputs", step: 1 }),
      });
    }
    return text(`All inputs received for ${name.name} (${roots.roots.length} roots)`);
  });

  server.registerTool("test_input_required_result_multi_round", { description: "Asks two questions, one round each" }, async (ctx) => {
    const state = ctx.mcpReq.requestState<StepState>();
    const responses = ctx.mcpReq.inputResponses;
    const name = acceptedContent<{ name?: unknown }>(responses, "step1");
    const color = acceptedContent<{ color?: unknown }>(responses, "step2");
    if (state?.tool === "multi_round" && state.step === 2 && typeof color?.color === "string") {
      return text(`Multi-round complete: ${state.name ?? ""} likes ${color.color}`);
    }
    if (state?.tool === "multi_round" && state.step === 1 && typeof name?.name === "string") {
      return inputRequired({
        inputRequests: {
          step2: inputRequired.elicit({
            message: "Step 2: What is your favorite color?",
            requestedSchema: { type: "object", properties: { color: { type: "string" } }, required: ["color"] },
          }),
        },
        requestState: await states.mint({ tool: "multi_round", step: 2, name: name.name }),
      });
    }
    return inputRequired({
      inputRequests: { step1: inputRequired.elicit({ message: "Step 1: What is your name?", requestedSchema: NAME_SCHEMA }) },
      requestState: await states.mint({ tool: "multi_round", step: 1 }),
    });
  });

  // A tampered requestState never reaches this handler: the codec's verify hook rejects it (-32602).
  server.registerTool("test_input_required_result_tampered_state", { description: "Keeps integrity-protected state between rounds" }, async (ctx) => {
    const answer = inputResponse(ctx.mcpReq.inputResponses, "confirm");
    if (ctx.mcpReq.requestState<StepState>()?.tool !== "tampered_state" || answer.kind !== "elicit") {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({ message: "Please confirm", requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }),
        },
        requestState: await states.mint({ tool: "tampered_state", step: 1 }),
      });
    }
    return text("state-ok: the state was intact");
  });

  server.registerTool("test_input_required_result_capabilities", { description: "Asks only for what the client declared it can answer" }, (ctx) => {
    const capabilities = clientCapabilities(server, ctx);
    const responses = ctx.mcpReq.inputResponses ?? {};
    const wanted: Record<string, InputRequest> = {};
    if (capabilities.elicitation) wanted.user_name = inputRequired.elicit({ message: "What is your name?", requestedSchema: NAME_SCHEMA });
    if (capabilities.sampling) wanted.capital_question = capitalQuestion();
    if (capabilities.roots) wanted.client_roots = inputRequired.listRoots();
    const missing = Object.fromEntries(Object.entries(wanted).filter(([key]) => !(key in responses)));
    if (Object.keys(missing).length > 0) return inputRequired({ inputRequests: missing });
    return text(`Answered with the declared capabilities: ${Object.keys(wanted).join(", ") || "none needed"}`);
  });
}

function capitalQuestion(): InputRequest {
  return inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }], maxTokens: 100 });
}
