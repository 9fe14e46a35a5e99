import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { INDEX_ATTRIBUTES } from "#store/table";

/** Issue 20: the index attribute names are stated once, in lambdas/store/table.ts; everything else reads them from there. */
function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) return sources(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** Each place `name` is written as an attribute name (not as an expression placeholder `#name` or `:name`). */
function literalUses(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`(?<![#:\\w])${name}\\b`, "g"))].length;
}

describe("index attribute names", () => {
  it("appear only in lambdas/store/table.ts", () => {
    const found = sources("lambdas")
      .filter((file) => file !== "lambdas/store/table.ts")
      .flatMap((file) => {
        const text = readFileSync(file, "utf8");
        return INDEX_ATTRIBUTES.filter((name) => literalUses(text, name) > 0).map(
          (name) => `${file}: ${name}`,
        );
      });
    expect(found).toEqual([]);
  });

  it("the search finds a literal name and skips placeholders (the check can fail)", () => {
    expect(literalUses('UpdateExpression: "REMOVE openPk, openSk"', "openPk")).toBe(1);
    expect(literalUses('{ "#openPk": open.partitionKey, ":openSk": x }', "openPk")).toBe(0);
    expect(literalUses("item.openSk", "openSk")).toBe(1);
  });
});
