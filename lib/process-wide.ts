// One value per server process. Next.js loads a module once per bundle layer — route handlers and
// server-rendered pages each get their own copy — so state that one layer changes and another reads
// (a cache, the change bus) lives here, on the process, not in a module-level variable.
const registry = globalThis as unknown as { mcpConsole?: Map<string, unknown> };

export function processWide<T>(name: string, create: () => T): T {
  registry.mcpConsole ??= new Map();
  if (!registry.mcpConsole.has(name)) registry.mcpConsole.set(name, create());
  return registry.mcpConsole.get(name) as T;
}
