// The prompts the suite gets (prompts-*, completion-complete, input-required-result-non-tool-request).
import { acceptedContent, completable, inputRequired, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { PNG_BASE64 } from "./media";

const CITY_COMPLETIONS = ["paris", "park", "party", "london", "lisbon"];

export function registerPrompts(server: McpServer): void {
  server.registerPrompt("test_simple_prompt", { description: "A prompt without arguments" }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
  }));

  server.registerPrompt(
    "test_prompt_with_arguments",
    {
      description: "A prompt with two required arguments; arg1 completes",
      argsSchema: z.object({
        arg1: completable(z.string().describe("First test argument"), (value) => CITY_COMPLETIONS.filter((city) => city.startsWith(value))),
        arg2: z.string().describe("Second test argument"),
      }),
    },
    ({ arg1, arg2 }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
    }),
  );

  server.registerPrompt(
    "test_prompt_with_embedded_resource",
    { description: "A prompt embedding the resource it is given", argsSchema: z.object({ resourceUri: z.string().describe("URI of the resource to embed") }) },
    ({ resourceUri }) => ({
      messages: [
        { role: "user", content: { type: "resource", resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  );

  server.registerPrompt("test_prompt_with_image", { description: "A prompt carrying an image" }, () => ({
    messages: [
      { role: "user", content: { type: "image", data: PNG_BASE64, mimeType: "image/png" } },
      { role: "user", content: { type: "text", text: "Please analyze the image above." } },
    ],
  }));

  // Multi-round trip is not only for tools: a prompt may ask the user first (SEP-2322).
  server.registerPrompt("test_input_required_result_prompt", { description: "A prompt that asks the user for context first" }, (ctx) => {
    const answer = acceptedContent<{ context?: unknown }>(ctx.mcpReq.inputResponses, "user_context");
    if (typeof answer?.context !== "string") {
      return inputRequired({
        inputRequests: {
          user_context: inputRequired.elicit({
            message: "What context should the prompt use?",
            requestedSchema: { type: "object", properties: { context: { type: "string" } }, required: ["context"] },
          }),
        },
      });
    }
    return { messages: [{ role: "user", content: { type: "text", text: `Use this context: ${answer.context}` } }] };
  });
}
