// Lets the official conformance suite (@modelcontextprotocol/conformance 0.1.16, and 0.2.0-alpha.12
// installed as conformance-next) run on Node 20. Its bundle imports `globSync` from node:fs
// (Node >= 22) for `tier-check` alone, so on Node 20 it fails to load. This loader hook removes that
// one import from the bundle as it is loaded and puts a stub in its place; node_modules is not
// touched. The stub's minified name differs between releases, so the import is matched by pattern.
// Use: node --import ./scripts/conformance/node20.mjs …
import { register } from "node:module";

const hook = `
export async function load(url, context, next) {
  const result = await next(url, context);
  if (!/@modelcontextprotocol\\/conformance(-next)?\\/dist\\//.test(url) || result.source == null) return result;
  const source = String(result.source);
  const imported = /globSync as ([\\w$]+),/.exec(source);
  if (!imported) return result;
  const withoutImport = source.replace(imported[0], "");
  // After the #! line, which must stay first.
  const at = withoutImport.startsWith("#!") ? withoutImport.indexOf("\\n") + 1 : 0;
  return { ...result, source: withoutImport.slice(0, at) + "var " + imported[1] + " = () => [];\\n" + withoutImport.slice(at) };
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`);
