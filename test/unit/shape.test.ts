import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The shape rule of issue 20: no production file over 400 lines, and no function over 60 lines in the
 * folders that hold the rules (core, service, store, heygen), so that each can be read at a sitting.
 */
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;
const RULE_FOLDERS = /^lambdas\/(core|service|store|heygen)\//;

function productionFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(folder, entry.name);
    if (entry.isDirectory()) return productionFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** Every function body longer than `max` lines in `source`, as "file:line name (n lines)". */
function longFunctions(file: string, source: string, max: number): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const body = node.body as ts.Node;
      const first = tree.getLineAndCharacterOfPosition(body.getStart()).line;
      const last = tree.getLineAndCharacterOfPosition(body.getEnd()).line;
      const name = node.name?.getText(tree) ?? "(anonymous)";
      if (last - first + 1 > max) found.push(`${file}:${first + 1} ${name} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}

describe("the code's shape", () => {
  const files = productionFiles("lambdas");

  it(`no production file is over ${MAX_FILE_LINES} lines`, () => {
    expect(files.length).toBeGreaterThan(50);
    const long = files
      .map((file) => [file, readFileSync(file, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no function in core, service, store or heygen is over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files
      .filter((file) => RULE_FOLDERS.test(file))
      .flatMap((file) => longFunctions(file, readFileSync(file, "utf8"), MAX_FUNCTION_LINES));
    expect(long).toEqual([]);
  });

  it("the measure finds a long function (the check can fail)", () => {
    const body = Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i};`).join("\n");
    expect(longFunctions("x.ts", `function big() {\n${body}\n}`, 60)).toEqual(["x.ts:1 big (63 lines)"]);
    expect(longFunctions("x.ts", "const small = () => {\n  return 1;\n};", 60)).toEqual([]);
  });
});
