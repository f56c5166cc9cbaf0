import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cachedPage, providerListCacheSizeForTests, providersChanged } from "@/lib/providers/list-cache";

/** A page reader that counts its reads and answers `size` items. */
function reader(size = 3) {
  const counter = { reads: 0 };
  const read = () => {
    counter.reads += 1;
    return Promise.resolve({ data: Array.from({ length: size }, (_, i) => `${counter.reads}-${i}`) });
  };
  return { counter, read };
}

describe("the provider list cache", () => {
  it("answers a page again from memory, until the workspace changes", async () => {
    const workspace = randomUUID();
    const { counter, read } = reader();
    const first = await cachedPage(workspace, { limit: 50 }, read);
    expect(await cachedPage(workspace, { limit: 50 }, read)).toEqual(first);
    expect(counter.reads).toBe(1);
    await cachedPage(workspace, { limit: 10 }, read); // another page is another read
    expect(counter.reads).toBe(2);

    await providersChanged(randomUUID()); // someone else's workspace
    await cachedPage(workspace, { limit: 50 }, read);
    expect(counter.reads).toBe(2);
    await providersChanged(workspace);
    expect(await cachedPage(workspace, { limit: 50 }, read)).not.toEqual(first);
    expect(counter.reads).toBe(3);
  });

  it("doesn't keep a page whose read a change overtook", async () => {
    const workspace = randomUUID();
    let reads = 0;
    const slowRead = async () => {
      reads += 1;
      if (reads === 1) await providersChanged(workspace); // the change lands while the page is read
      return { data: [reads] };
    };
    await cachedPage(workspace, {}, slowRead);
    expect(await cachedPage(workspace, {}, slowRead)).toEqual({ data: [2] });
  });

  it("holds a bounded number of providers, however many pages are asked for", async () => {
    const workspace = randomUUID();
    for (let i = 0; i < 300; i++) await cachedPage(workspace, { q: `search ${i}` }, reader(100).read);
    const { held, pages } = providerListCacheSizeForTests();
    expect(held).toBeLessThanOrEqual(20_000);
    expect(pages).toBeLessThan(300);
    expect(held).toBeGreaterThan(10_000); // …and still holds a useful amount
  });
});
