"use client";
// Try it: a tool's arguments as a form made from its input schema (or raw JSON), the call as you,
// and its result formatted, timed and copyable, with this session's last calls to go back to.
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { copyText } from "@/lib/client/clipboard";
import { ApprovalItem } from "@/components/approvals/pending-approvals";
import { useApprovals, useCallTool, type ProviderTool, type ToolResult } from "@/lib/client/hooks";
import { validateArguments } from "@/lib/client/json-schema";
import { argumentsFrom, initialValues, toolFields, valuesFrom, type FormValues, type InputSchema, type ToolField } from "@/lib/client/tool-form";

type PastCall = { at: number; args: Record<string, unknown>; outcome: "ok" | "tool error" | "failed"; ms: number };
const HISTORY = 5;

export function TryIt({ providerId, tool, renderError }: { providerId: string; tool: ProviderTool; renderError: (error: unknown) => React.ReactNode }) {
  const schema = tool.input_schema as InputSchema;
  const fields = toolFields(schema);
  const call = useCallTool(providerId);
  const [values, setValues] = useState<FormValues>(() => initialValues(schema));
  const [raw, setRaw] = useState<string | undefined>(); // set: the raw JSON editor is showing
  const [problems, setProblems] = useState<string[]>([]);
  const [history, setHistory] = useState<PastCall[]>([]);
  const id = (name: string) => `try-${tool.name}-${name}`;

  function currentArgs(): { args?: Record<string, unknown>; problems: string[] } {
    if (raw === undefined) return argumentsFrom(schema, values);
    try {
      const parsed: unknown = JSON.parse(raw || "{}");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { problems: ["The arguments must be a JSON object."] };
      return { args: parsed as Record<string, unknown>, problems: [] };
    } catch {
      return { problems: ["The arguments are not valid JSON."] };
    }
  }

  function toggleRaw() {
    if (raw === undefined) {
      setRaw(JSON.stringify(argumentsFrom(schema, values).args, null, 2));
      return;
    }
    const { args, problems: unreadable } = currentArgs();
    if (!args) {
      setProblems(unreadable);
      return;
    }
    setValues(valuesFrom(schema, args));
    setRaw(undefined);
    setProblems([]);
  }

  function run() {
    const { args, problems: unreadable } = currentArgs();
    const found = args ? [...unreadable, ...validateArguments({ ...schema, type: "object" }, args)] : unreadable;
    setProblems(found);
    if (!args || found.length > 0) return;
    const started = performance.now();
    const done = (outcome: PastCall["outcome"]) => {
      setHistory((past) => [{ at: Date.now(), args, outcome, ms: Math.round(performance.now() - started) }, ...past].slice(0, HISTORY));
    };
    call.mutate({ tool: tool.name, args }, { onSuccess: (result) => { done(result.is_error ? "tool error" : "ok"); }, onError: () => { done("failed"); } });
  }

  function reuse(past: PastCall) {
    if (raw === undefined) setValues(valuesFrom(schema, past.args));
    else setRaw(JSON.stringify(past.args, null, 2));
  }

  return (
    <div id={`try-${tool.name}`} className="mt-4 space-y-3">
      <div className="flex items-center justify-between gap-3">
        <h4 className="text-sm font-semibold">Arguments</h4>
        {fields.length > 0 && (
          <Button size="sm" variant="ghost" onClick={toggleRaw} aria-pressed={raw !== undefined}>
            {raw === undefined ? "Edit as JSON" : "Edit as form"}
          </Button>
        )}
      </div>
      {raw !== undefined ? (
        <div>
          <label htmlFor={id("json")} className="sr-only">Arguments (JSON)</label>
          <textarea id={id("json")} value={raw} onChange={(event) => { setRaw(event.target.value); }} rows={Math.min(14, raw.split("\n").length + 1)} spellCheck={false} className={`${inputClass} font-mono text-xs`} aria-invalid={problems.length > 0 || undefined} />
        </div>
      ) : fields.length === 0 ? (
        <p className="text-sm text-muted">This tool takes no arguments.</p>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2">
          {fields.map((field) => <FieldFor key={field.name} field={field} id={id(field.name)} value={values[field.name]} onChange={(value) => { setValues((current) => ({ ...current, [field.name]: value })); }} />)}
        </div>
      )}
      {problems.length > 0 && (
        <div role="alert">
          <ul className="list-inside list-disc text-xs text-red-600 dark:text-red-400">
            {problems.map((problem) => <li key={problem}>{problem}</li>)}
          </ul>
        </div>
      )}
      <Button variant="primary" onClick={run} disabled={call.isPending}>
        {call.isPending ? "Calling…" : `Call ${tool.name}`}
      </Button>
      {call.isPending && <WaitingApproval providerId={providerId} tool={tool.name} />}
      {call.isError && renderError(call.error)}
      {call.isSuccess && <ToolOutput result={call.data} ms={history[0]?.ms} />}
      {history.length > 0 && (
        <section aria-label={`Your last calls of ${tool.name}`} className="text-xs">
          <h4 className="font-semibold">This session&apos;s calls</h4>
          <ol className="mt-1 divide-y divide-zinc-200 dark:divide-zinc-800">
            {history.map((past) => (
              <li key={past.at} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
                <span className="min-w-0 flex-1 truncate font-mono" title={JSON.stringify(past.args)}>{JSON.stringify(past.args)}</span>
                <span className="text-muted">{new Date(past.at).toLocaleTimeString()} · {past.outcome} · {past.ms} ms</span>
                <Button size="sm" variant="ghost" onClick={() => { reuse(past); }}>Use again</Button>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}

/** A call of a tool that asks first waits for its caller: here, the approval is where they are looking. */
function WaitingApproval({ providerId, tool }: { providerId: string; tool: string }) {
  const approvals = useApprovals();
  const waiting = approvals.data?.pending.find((approval) => approval.provider.id === providerId && approval.tool === tool && approval.via === "console");
  if (!waiting) return null;
  return (
    <div className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
      <p className="font-medium">An admin set {tool} to ask first: it runs once you approve it.</p>
      <ul className="mt-2"><ApprovalItem approval={waiting} /></ul>
    </div>
  );
}

function FieldFor({ field, id, value, onChange }: { field: ToolField; id: string; value: string | boolean | undefined; onChange: (value: string | boolean) => void }) {
  const hint = field.description ? `${id}-hint` : undefined;
  const label = (
    <span className="flex gap-0.5 text-sm font-medium">
      <span className="font-mono">{field.name}</span>
      {field.required && <span aria-hidden className="text-red-600 dark:text-red-400">*</span>}
      {field.kind === "json" && <span className="ml-1 font-normal text-muted">(JSON)</span>}
    </span>
  );
  const describe = hint ? <p id={hint} className="text-xs text-muted">{field.description}</p> : null;
  if (field.kind === "boolean") {
    return (
      <div className="space-y-1">
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={value === true} onChange={(event) => { onChange(event.target.checked); }} aria-describedby={hint} />
          {label}
        </label>
        {describe}
      </div>
    );
  }
  const text = typeof value === "string" ? value : "";
  const common = { id, "aria-describedby": hint, "aria-required": field.required || undefined, className: `${inputClass} ${field.kind === "json" ? "font-mono text-xs" : ""}` };
  return (
    <div className={`space-y-1 ${field.kind === "json" ? "sm:col-span-2" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {field.kind === "choice" ? (
        <select {...common} value={text} onChange={(event) => { onChange(event.target.value); }}>
          {!field.required && <option value="">—</option>}
          {field.choices?.map((choice) => <option key={JSON.stringify(choice)} value={JSON.stringify(choice)}>{typeof choice === "string" ? choice : JSON.stringify(choice)}</option>)}
        </select>
      ) : field.kind === "json" ? (
        <textarea {...common} rows={3} spellCheck={false} value={text} onChange={(event) => { onChange(event.target.value); }} />
      ) : (
        <input
          {...common}
          type={field.kind === "text" ? "text" : "number"}
          step={field.kind === "integer" ? 1 : "any"}
          min={field.minimum}
          max={field.maximum}
          value={text}
          onChange={(event) => { onChange(event.target.value); }}
        />
      )}
      {describe}
    </div>
  );
}

/** Text that is JSON, indented; anything else as it came. */
function formatted(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function ToolOutput({ result, ms }: { result: ToolResult; ms?: number }) {
  const text = result.content.filter((item) => item.type === "text").map((item) => String(item.text)).join("\n");
  return (
    <section aria-label="Result" className={`rounded-lg border p-3 text-sm ${result.is_error ? "border-amber-500/40 bg-amber-50 dark:bg-amber-950" : "border-zinc-200 dark:border-zinc-800"}`}>
      <div className="mb-2 flex items-center justify-between gap-2">
        <p className="text-xs font-medium uppercase tracking-wide text-muted">
          {result.is_error ? "The tool reported an error" : "Result"}
          {ms !== undefined && <span className="normal-case tracking-normal"> · {ms} ms</span>}
        </p>
        <Button size="sm" variant="ghost" onClick={() => void copyText(text || JSON.stringify(result.content, null, 2), "Result")}>Copy</Button>
      </div>
      {result.content.map((item, index) =>
        item.type === "text" ? (
          <pre key={index} data-testid="tool-result-text" className="whitespace-pre-wrap break-words font-mono text-xs">{formatted(String(item.text))}</pre>
        ) : item.type === "image" ? (
          // eslint-disable-next-line @next/next/no-img-element
          <img key={index} alt="Tool output" src={`data:${String(item.mimeType)};base64,${String(item.data)}`} className="max-h-64" />
        ) : (
          <pre key={index} className="whitespace-pre-wrap break-words font-mono text-xs">{JSON.stringify(item, null, 2)}</pre>
        ),
      )}
      {result.structured_content && (
        <details className="mt-2">
          <summary className="cursor-pointer text-xs text-muted">Structured content</summary>
          <pre className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{JSON.stringify(result.structured_content, null, 2)}</pre>
        </details>
      )}
    </section>
  );
}
