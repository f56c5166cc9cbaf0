// Lets the official conformance suite (@modelcontextprotocol/conformance 0.1.16) run on Node 20.
// Its bundle imports `globSync` from node:fs (Node >= 22) for `tier-check` alone, so on Node 20 it
// fails to load. This loader hook removes that one import from the bundle as it is loaded and puts
// a stub in its place; node_modules is not touched. Use: node --import ./scripts/conformance/node20.mjs …
import { register } from "node:module";

const hook = `
export async function load(url, context, next) {
  const result = await next(url, context);
  if (!url.includes("@modelcontextprotocol/conformance/dist/") || result.source == null) return result;
  const source = String(result.source);
  if (!source.includes("globSync as o,")) return result;
  const withoutImport = source.replace("globSync as o,", "");
  // After the #! line, which must stay first.
  const at = withoutImport.startsWith("#!") ? withoutImport.indexOf("\\n") + 1 : 0;
  return { ...result, source: withoutImport.slice(0, at) + "var o = () => [];\\n" + withoutImport.slice(at) };
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
