// `npm run inspect -- <url> [--header "Authorization: Bearer …"] --method tools/list …`: the MCP
// Inspector's CLI (the v1 CLI, pinned, which runs on Node 20). It reads its own package.json
// relative to the working directory, so it is started from its build folder.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const build = path.join(path.dirname(require.resolve("@modelcontextprotocol/inspector-cli/package.json")), "build");
const args = process.argv.slice(2);
if (args.length === 0 || args.includes("--help")) {
  console.log('usage: npm run inspect -- <url> --transport http --header "Authorization: Bearer <token>" --method tools/list');
  process.exit(args.length === 0 ? 2 : 0);
}
const child = spawn(process.execPath, [path.join(build, "index.js"), ...args], { cwd: build, stdio: "inherit" });
child.on("exit", (code) => process.exit(code ?? 1));
