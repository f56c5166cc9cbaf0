// Renders the OpenAPI document for humans: each operation with its parameters, body and responses.
type Doc = ReturnType<typeof import("@/lib/api/openapi").openApiDocument>;
type Operation = { summary?: string; description?: string; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: { $ref?: string } }> }; responses: Record<string, { description: string }> };

const METHOD_STYLE: Record<string, string> = {
  get: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
  post: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300",
  patch: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  delete: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

export function ApiReference({ document }: { document: Doc }) {
  const schemas = document.components.schemas as Record<string, unknown>;
  return (
    <article className="space-y-8">
      <header>
        <h1 className="text-2xl font-semibold tracking-tight">{document.info.title}</h1>
        <p className="mt-2 max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">{document.info.description}</p>
        <p className="mt-2 text-sm">
          Machine-readable: <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {document.openapi})
        </p>
      </header>
      {Object.entries(document.paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([method]) => method in METHOD_STYLE)
          .map(([method, raw]) => {
            const op = raw as Operation;
            const ref = op.requestBody && Object.values(op.requestBody.content)[0]?.schema.$ref;
            const bodySchema = ref ? ref.split("/").pop() : undefined;
            return (
              <section key={`${method} ${path}`} aria-label={`${method.toUpperCase()} ${path}`} className="rounded-xl border border-zinc-200 p-5 dark:border-zinc-800">
                <h2 className="flex items-center gap-3 font-mono text-sm">
                  <span className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${METHOD_STYLE[method]}`}>{method}</span>
                  {path}
                </h2>
                <p className="mt-2 font-medium">{op.summary}</p>
                {op.description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{op.description}</p>}
                {bodySchema && (
                  <details className="mt-3">
                    <summary className="cursor-pointer text-sm font-medium">Request body: {bodySchema}</summary>
                    <pre className="mt-2 max-h-96 overflow-auto rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-900">{JSON.stringify(schemas[bodySchema], null, 2)}</pre>
                  </details>
                )}
                <ul className="mt-3 flex flex-wrap gap-2 text-xs">
                  {Object.entries(op.responses).map(([status, response]) => (
                    <li key={status} className="rounded-md border border-zinc-200 px-2 py-1 dark:border-zinc-800">
                      <span className="font-mono font-semibold">{status}</span> {response.description}
                    </li>
                  ))}
                </ul>
              </section>
            );
          }),
      )}
    </article>
  );
}
