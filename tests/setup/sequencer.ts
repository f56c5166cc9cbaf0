// The files that take minutes start first, in this order; the rest follow in Vitest's own order.
// With a worker per core, a long file that starts last runs alone at the end while the other
// workers wait (the migration bridge did: 90 s of a two-core run).
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST_FIRST = ["tests/fuzz/api-fuzz.test.ts", "tests/conformance/client-auth.test.ts", "tests/migrations/bridge.test.ts"];

function rank(file: TestSpecification): number {
  const index = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
  return index === -1 ? LONGEST_FIRST.length : index;
}

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: ties keep Vitest's order
  }
}
