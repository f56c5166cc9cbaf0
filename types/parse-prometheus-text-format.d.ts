// The Prometheus text-format parser the tests read /metrics with (the package ships no types).
// Values stay text, as written ("1", "+Inf"); types are upper case ("COUNTER", "HISTOGRAM").
declare module "parse-prometheus-text-format" {
  type Labels = Record<string, string>;
  export type ParsedSample = { value: string; labels?: Labels };
  export type ParsedHistogram = { buckets: Record<string, string>; count: string; sum: string; labels?: Labels };
  export type ParsedSummary = { quantiles?: Record<string, string>; count: string; sum: string; labels?: Labels };
  export type ParsedFamily =
    | { name: string; help: string; type: "COUNTER" | "GAUGE" | "UNTYPED"; metrics: ParsedSample[] }
    | { name: string; help: string; type: "HISTOGRAM"; metrics: ParsedHistogram[] }
    | { name: string; help: string; type: "SUMMARY"; metrics: ParsedSummary[] };
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
