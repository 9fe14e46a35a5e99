import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Each Lambda bundles only the use cases it calls only if every `useCase(...)` declaration is marked
 * `/* @__PURE__ *\/` (lambdas/service/use-case.ts says why); an unmarked one pulls itself and all it imports
 * into every bundle that imports its file.
 */
const SERVICE = "lambdas/service";

describe("use case declarations", () => {
  it("mark every useCase(...) call pure, so a Lambda that never calls one does not bundle it", () => {
    const unmarked = readdirSync(SERVICE)
      .filter((name) => name.endsWith(".ts") && name !== "use-case.ts")
      .flatMap((name) => {
        const source = readFileSync(path.join(SERVICE, name), "utf8");
        return [...source.matchAll(/(\/\* @__PURE__ \*\/ )?useCase\(/g)]
          .filter((match) => match[1] === undefined)
          .map((match) => `${name}:${source.slice(0, match.index).split("\n").length}`);
      });
    expect(unmarked).toEqual([]);
  });
});
