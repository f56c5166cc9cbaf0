// The SDK's low-level MCP Server. The SDK marks it deprecated in favour of McpServer "except for
// advanced use cases": a relay that forwards methods it doesn't know in advance is one (McpServer
// only serves tools, resources and prompts it registered itself).
import { Server } from "@modelcontextprotocol/sdk/server/index.js";

// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
export const LowLevelServer = Server;
export type LowLevelServer = InstanceType<typeof LowLevelServer>;
