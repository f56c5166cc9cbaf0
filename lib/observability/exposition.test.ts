import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { exposition } from "@/lib/observability/exposition";

describe("the text exposition", () => {
  it("writes families a Prometheus parser reads back as they were, whatever a name holds", () => {
    const name = 'Acme "prod" \\ tools\nsecond line';
    const text = exposition([
      { name: "x_info", help: "Names\\with a backslash\nand a newline", type: "gauge", samples: [{ name: "x_info", labels: { provider_name: name, id: "p1" }, value: 1 }] },
      { name: "x_total", help: "Calls", type: "counter", samples: [{ name: "x_total", labels: {}, value: 3 }] },
    ]);
    const [info, total] = parsePrometheusTextFormat(text);
    expect(info).toMatchObject({ name: "x_info", type: "GAUGE", help: "Names\\with a backslash\nand a newline", metrics: [{ value: "1", labels: { provider_name: name, id: "p1" } }] });
    expect(total).toMatchObject({ name: "x_total", type: "COUNTER", metrics: [{ value: "3" }] });
  });

  it("writes a histogram's parts and infinite bounds as Prometheus spells them", () => {
    const text = exposition([
      {
        name: "t_seconds",
        help: "Time",
        type: "histogram",
        samples: [
          { name: "t_seconds_bucket", labels: { le: 0.5 }, value: 1 },
          { name: "t_seconds_bucket", labels: { le: "+Inf" }, value: 2 },
          { name: "t_seconds_sum", labels: {}, value: 0.75 },
          { name: "t_seconds_count", labels: {}, value: 2 },
        ],
      },
      { name: "g", help: "A gauge", type: "gauge", samples: [{ name: "g", labels: {}, value: -Infinity }] },
    ]);
    expect(text).toContain('t_seconds_bucket{le="+Inf"} 2\n');
    expect(parsePrometheusTextFormat(text)).toEqual([
      { name: "t_seconds", help: "Time", type: "HISTOGRAM", metrics: [{ buckets: { "0.5": "1", "+Inf": "2" }, sum: "0.75", count: "2" }] },
      { name: "g", help: "A gauge", type: "GAUGE", metrics: [{ value: "-Inf" }] },
    ]);
  });

  it("leaves out labels that have no value, and writes nothing for no families", () => {
    expect(exposition([{ name: "a", help: "h", type: "counter", samples: [{ name: "a", labels: { kept: "x", gone: undefined }, value: 0 }] }])).toBe('# HELP a h\n# TYPE a counter\na{kept="x"} 0\n');
    expect(exposition([])).toBe("");
  });
});
