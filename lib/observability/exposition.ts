// The Prometheus text exposition format (version 0.0.4), which /metrics answers in. Written here
// rather than by prom-client's registry because a scrape may see only some of the series (a
// workspace admin's sees its workspace's: lib/observability/scrape.ts) and adds series of its own.
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Sample = { name: string; labels: Readonly<Partial<Record<string, string | number>>>; value: number };
export type MetricFamily = { name: string; help: string; type: string; samples: readonly Sample[] };

const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabelValue = (text: string) => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Sample["labels"]): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (value !== undefined) pairs.push(`${name}="${escapeLabelValue(String(value))}"`);
  }
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

/** The families as one exposition: HELP and TYPE, then each sample on its line. */
export function exposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${sample.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
