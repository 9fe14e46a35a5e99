import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists, and a `#anchor` names a
 * heading of the page it points to, as GitHub makes anchors of headings.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** The page's text outside fenced code blocks and inline code, where `[x](y)` and `# x` are not markdown. */
function prose(text: string): string {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/``[^`]*``|`[^`\n]*`/g, (code) => (code.includes("](") ? "" : code));
}

/** GitHub's anchor of a heading: lower case, punctuation dropped but `-` and `_`, spaces become `-`. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a page's headings, a repeated heading numbered as GitHub numbers it (`-1`, `-2`). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(heading ?? "");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The targets of a page's inline links and images that are neither absolute URLs nor mail addresses. */
function relativeLinksOf(text: string): string[] {
  const targets = [...prose(text).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    ([, target]) => target ?? "",
  );
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function broken(page: string): string[] {
  const text = readFileSync(join(ROOT, page), "utf8");
  const problems: string[] = [];
  for (const link of relativeLinksOf(text)) {
    const [path = "", anchor] = link.split("#", 2);
    const target = path === "" ? join(ROOT, page) : join(ROOT, dirname(page), decodeURIComponent(path));
    const shown = relative(ROOT, target);
    if (!existsSync(target)) {
      problems.push(`${link}: no file ${shown}`);
      continue;
    }
    if (anchor === undefined || anchor === "") continue;
    if (statSync(target).isDirectory() || !target.endsWith(".md")) {
      problems.push(`${link}: #${anchor} in ${shown}, which has no headings`);
    } else if (!anchorsOf(readFileSync(target, "utf8")).has(decodeURIComponent(anchor))) {
      problems.push(`${link}: no heading #${anchor} in ${shown}`);
    }
  }
  return problems;
}

describe("links in README.md and docs/", () => {
  it("reads the pages it checks, and finds their links", () => {
    expect(PAGES).toContain("README.md");
    expect(PAGES).toContain("docs/api.md");
    expect(relativeLinksOf(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThan(10);
  });

  it.each(PAGES)("%s: every relative link names an existing file, and every #anchor a heading", (page) => {
    expect(broken(page)).toEqual([]);
  });
});

describe("the link checker", () => {
  it("makes anchors as GitHub does", () => {
    expect(slugOf("HTTP API (v1)")).toBe("http-api-v1");
    expect(slugOf("Shell: the `quota-guard` command")).toBe("shell-the-quota-guard-command");
    expect(slugOf("Which pool pays (field cases F8 and G8)")).toBe("which-pool-pays-field-cases-f8-and-g8");
    expect([...anchorsOf("# A\n## Notes\n```\n# not a heading\n```\n### Notes\n")]).toEqual([
      "a",
      "notes",
      "notes-1",
    ]);
  });

  it("finds relative links and images, not URLs, not links inside code", () => {
    const text = [
      "See [a](docs/a.md#x), ![b](b.png) and [c](https://example.com), <https://d.example>.",
      "`[e](e.md)` is code, and so is:",
      "```md",
      "[f](f.md)",
      "```",
      "[g](#here)",
    ].join("\n");
    expect(relativeLinksOf(text)).toEqual(["docs/a.md#x", "b.png", "#here"]);
  });

  it("reports a missing file and a missing heading", () => {
    expect(existsSync(join(ROOT, "docs/no-such-page.md"))).toBe(false);
    expect(anchorsOf(readFileSync(join(ROOT, "README.md"), "utf8")).has("no-such-heading")).toBe(false);
  });
});
