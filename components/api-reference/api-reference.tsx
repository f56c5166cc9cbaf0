// The OpenAPI document for people: a table of contents by tag, and per operation who may call it,
// its parameters, request and response schemas with an example, and a curl line to try it.
import { Fragment } from "react";
import { exampleOf, refName, resolve, typeLabel, type JsonSchema, type Schemas } from "@/lib/api/schema-example";

type Doc = ReturnType<typeof import("@/lib/api/openapi").openApiDocument>;
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema };
type Content = Record<string, { schema: JsonSchema }>;
type Response = { description: string; content?: Content; headers?: Record<string, { description?: string }> };
type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  "x-required-role"?: string;
  parameters?: Parameter[];
  requestBody?: { content: Content };
  responses: Record<string, Response>;
};
type Entry = { method: string; path: string; op: Operation };

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  post: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  put: "bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300",
  patch: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  delete: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

const ROLE_LABELS: Record<string, string> = { admin: "Admins and owners only", owner: "Owners only" };

const PATH_EXAMPLES: Record<string, string> = { tool: "echo" };

/** The descriptions' only markup: `code`. */
function Inline({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, index) => (index % 2 === 1 ? <code key={index} className="rounded bg-zinc-100 px-1 font-mono text-[0.85em] dark:bg-zinc-800">{part}</code> : <Fragment key={index}>{part}</Fragment>))}
    </>
  );
}

function Method({ method }: { method: string }) {
  return <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ""}`}>{method}</span>;
}

function curlFor({ method, path, op }: Entry, server: string, schemas: Schemas): string {
  const url = server.replace(/\/$/, "") + path.replace(/\{(\w+)\}/g, (_, name: string) => PATH_EXAMPLES[name] ?? "3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70");
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} '${url}'`];
  if (op.security?.length !== 0) lines.push(`-H "Authorization: Bearer $MCP_CONSOLE_TOKEN"`);
  const body = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
  if (body) {
    lines.push(`-H 'Content-Type: ${body[0]}'`);
    lines.push(`-d '${JSON.stringify(exampleOf(body[1].schema, schemas)).replace(/'/g, "'\\''")}'`);
  }
  return lines.join(" \\\n  ");
}

function SchemaBlock({ label, schema, schemas }: { label: string; schema: JsonSchema; schemas: Schemas }) {
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm">
        {label} <span className="font-mono text-xs text-muted">{typeLabel(schema)}</span>
      </summary>
      <div className="mt-2 grid gap-2 lg:grid-cols-2">
        <div>
          <p className="text-xs font-medium text-muted">Example</p>
          <pre className="mt-1 whitespace-pre-wrap break-words rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-900">{JSON.stringify(exampleOf(schema, schemas), null, 2)}</pre>
        </div>
        <div>
          <p className="text-xs font-medium text-muted">Schema{schema.$ref ? ` ${refName(schema.$ref)}` : ""}</p>
          <pre className="mt-1 max-h-96 overflow-y-auto whitespace-pre-wrap break-words rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-900" tabIndex={0}>{JSON.stringify(resolve(schema, schemas), null, 2)}</pre>
        </div>
      </div>
    </details>
  );
}

function OperationCard({ entry, server, schemas }: { entry: Entry; server: string; schemas: Schemas }) {
  const { method, path, op } = entry;
  const role = op["x-required-role"];
  const body = op.requestBody ? Object.values(op.requestBody.content)[0] : undefined;
  return (
    <section id={`op-${op.operationId}`} aria-label={`${method.toUpperCase()} ${path}`} className="scroll-mt-4 rounded-xl border border-zinc-200 p-5 dark:border-zinc-800">
      <h3 className="flex flex-wrap items-center gap-2 break-all font-mono text-sm">
        <Method method={method} />
        {path}
      </h3>
      <p className="mt-2 flex flex-wrap items-center gap-2 font-medium">
        {op.summary}
        {role && <span className="rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-600/20 dark:bg-amber-950 dark:text-amber-200">{ROLE_LABELS[role] ?? role}</span>}
        {op.security?.length === 0 && <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium dark:bg-zinc-800">No sign-in needed</span>}
      </p>
      {op.description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400"><Inline text={op.description} /></p>}

      {op.parameters && op.parameters.length > 0 && (
        <div className="mt-4">
          <h4 className="text-sm font-semibold">Parameters</h4>
          <dl className="mt-1 divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            {op.parameters.map((parameter) => (
              <div key={`${parameter.in} ${parameter.name}`} className="grid gap-1 py-2 sm:grid-cols-[12rem_1fr]">
                <dt>
                  <code className="font-mono text-xs font-semibold">{parameter.name}</code>
                  <span className="ml-2 text-xs text-muted">{parameter.in}{parameter.required ? ", required" : ""}</span>
                </dt>
                <dd className="text-xs text-zinc-600 dark:text-zinc-400">
                  {parameter.schema && <span className="font-mono">{typeLabel(parameter.schema)}</span>}
                  {parameter.schema?.default !== undefined && <span> · default {JSON.stringify(parameter.schema.default)}</span>}
                  {parameter.description && <> · <Inline text={parameter.description} /></>}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      )}

      {body && (
        <div className="mt-4">
          <h4 className="text-sm font-semibold">Request body</h4>
          <SchemaBlock label="JSON" schema={body.schema} schemas={schemas} />
        </div>
      )}

      <div className="mt-4">
        <h4 className="text-sm font-semibold">Responses</h4>
        <ul className="mt-1 space-y-1 text-sm">
          {Object.entries(op.responses).map(([status, response]) => {
            const content = response.content ? Object.entries(response.content)[0] : undefined;
            const problem = content?.[0] === "application/problem+json";
            return (
              <li key={status}>
                <span className={`font-mono font-semibold ${status.startsWith("2") ? "text-emerald-700 dark:text-emerald-400" : "text-muted"}`}>{status}</span>{" "}
                <Inline text={response.description} />
                {content && !problem && <SchemaBlock label="Body" schema={content[1].schema} schemas={schemas} />}
              </li>
            );
          })}
        </ul>
      </div>

      <div className="mt-4">
        <h4 className="text-sm font-semibold">Try it</h4>
        <pre className="mt-1 whitespace-pre-wrap break-all rounded-md bg-zinc-50 p-3 font-mono text-xs dark:bg-zinc-900">{curlFor(entry, server, schemas)}</pre>
      </div>
    </section>
  );
}

export function ApiReference({ document }: { document: Doc }) {
  const schemas = document.components.schemas;
  const server = document.servers[0]?.url ?? "";
  const entries: Entry[] = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method in METHOD_STYLE)
      .map(([method, op]) => ({ method, path, op: op as Operation })),
  );
  const tags = document.tags.map((tag) => ({ name: tag.name, entries: entries.filter((entry) => entry.op.tags?.[0] === tag.name) }));
  return (
    <article className="space-y-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{document.info.title}</h1>
        <p className="mt-2 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400"><Inline text={document.info.description} /></p>
        <p className="mt-2 text-sm">
          Machine-readable: <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {document.openapi}). Examples use <code className="font-mono text-xs">$MCP_CONSOLE_TOKEN</code>, a token from <a className="underline" href="/settings/api-tokens">API tokens</a>.
        </p>
      </header>
      <div className="gap-8 lg:grid lg:grid-cols-[15rem_minmax(0,1fr)]">
        <nav aria-label="Operations" className="mb-8 self-start text-sm lg:sticky lg:top-4 lg:mb-0 lg:max-h-[calc(100vh-2rem)] lg:overflow-y-auto">
          {tags.map((tag) => (
            <div key={tag.name} className="mb-4">
              <p className="font-semibold">{tag.name}</p>
              <ul className="mt-1 space-y-1">
                {tag.entries.map(({ method, op }) => (
                  <li key={op.operationId}>
                    <a href={`#op-${op.operationId}`} className="flex items-baseline gap-2 text-zinc-600 hover:text-zinc-900 hover:underline dark:text-zinc-400 dark:hover:text-zinc-100">
                      <span className="w-12 shrink-0 font-mono text-[0.7rem] font-semibold uppercase">{method}</span>
                      {op.summary}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="min-w-0 space-y-10">
          {tags.map((tag) => (
            <section key={tag.name} aria-labelledby={`tag-${tag.name}`} className="space-y-4">
              <h2 id={`tag-${tag.name}`} className="text-lg font-semibold">{tag.name}</h2>
              {tag.entries.map((entry) => <OperationCard key={entry.op.operationId} entry={entry} server={server} schemas={schemas} />)}
            </section>
          ))}
        </div>
      </div>
    </article>
  );
}
