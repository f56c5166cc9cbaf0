// vitest's asymmetric matchers are typed `any`, which the linter rightly won't let into typed
// values. These are the same matchers, typed as what they are: something to compare against.
import { expect } from "vitest";

export const aString = (): unknown => expect.any(String);
export const anObject = (): unknown => expect.any(Object);
export const containing = (text: string): unknown => expect.stringContaining(text);
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
export const like = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape);
export const aNumber = (): unknown => expect.any(Number);
export const including = (items: unknown[]): unknown => expect.arrayContaining(items);
