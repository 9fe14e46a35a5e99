import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type Browser, collectPageProblems, launchChromium } from "#test/support/browser";
import { fundWallets, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * The status page's "Spend by label" chart in headless Chromium (issue 22): commits through the local stack,
 * then the bars, amounts and counts of the last 7 and 30 days per label value, the label-key choice, an
 * account without labels, and both colour themes.
 */

const clock = new TestClock(new Date("2026-11-10T12:00:00Z"));
let stack: LocalStack;
let browser: Browser;
let page: Page;
let problems: string[];
type Json = Record<string, unknown>;

async function spend(amount: number, labels: Record<string, string>): Promise<void> {
  const made = await post<Json>(stack, "/v1/reservations", { accountId: "studio", amount, labels });
  expect(made.status).toBe(201);
  expect((await post(stack, `/v1/reservations/${made.body.id}/commit`, {})).status).toBe(200);
}

async function openPage(target: Page): Promise<void> {
  await target.clock.setFixedTime(clock.now());
  await target.goto(`${stack.url}/?refresh=1`);
}

/** The rows of the account's spend chart as "key: amount, count" (what a screen reader reads, bars aside). */
const rowsOf = (target: Page, id: string) =>
  target
    .locator(`[data-account="${id}"] .spend-bars li`)
    .evaluateAll((items) =>
      items.map(
        (li) =>
          `${li.querySelector(".spend-key")?.textContent}: ${li.querySelector(".spend-amount")?.textContent}, ${li.querySelector(".spend-count")?.textContent}`,
      ),
    );

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }, { id: "plain" }], {
      checks: { maxBalanceAgeSeconds: 90 * 86_400 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  fundWallets(stack, ["studio", "plain"], 100);
  await stack.pollNow(clock.tick());
  // 20 days before the page opens: inside its 30 days, outside its 7.
  await spend(5, { campaign: "summer" });
  clock.advance(20 * 86_400);
  for (const amount of [2, 3, 4]) await spend(amount, { campaign: "spring", client: "acme" });
  await spend(1, { campaign: "fall" });
  clock.advance(60);
  browser = await launchChromium();
  page = await browser.context.newPage();
  problems = collectPageProblems(page);
  await openPage(page);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the status page's spend by label", () => {
  it("shows spring and fall with their amounts and counts for the last 7 days, by the first label key", async () => {
    const panel = page.locator('[data-account="studio"] .spend');
    await panel.locator(".spend-bars li").first().waitFor({ timeout: 10_000 });
    expect(await page.getByRole("heading", { name: "Spend by label" }).count()).toBe(2);
    expect(await panel.getAttribute("data-group-by")).toBe("label:campaign");
    expect(await page.getByRole("combobox", { name: "Group by" }).first().inputValue()).toBe(
      "label:campaign",
    );
    expect(await rowsOf(page, "studio")).toEqual(["spring: $9.00, 3 commits", "fall: $1.00, 1 commit"]);
    expect(await panel.locator('[data-field="spend-total"]').textContent()).toBe("Total $10.00 in 4 commits");
    expect(await panel.getByRole("button", { name: "7-day", exact: true }).getAttribute("aria-pressed")).toBe(
      "true",
    );
  });

  it("switches to the last 30 days, and to another label key, keeping the choice across refreshes", async () => {
    const panel = page.locator('[data-account="studio"] .spend');
    await panel.getByRole("button", { name: "30-day", exact: true }).click();
    await expect
      .poll(() => rowsOf(page, "studio"), { timeout: 10_000 })
      .toEqual(["spring: $9.00, 3 commits", "summer: $5.00, 1 commit", "fall: $1.00, 1 commit"]);
    const select = panel.getByRole("combobox", { name: "Group by" });
    await select.focus();
    await select.selectOption("label:client");
    await expect
      .poll(() => rowsOf(page, "studio"), { timeout: 10_000 })
      .toEqual(["acme: $9.00, 3 commits", "(none): $6.00, 2 commits"]);
    // The page refreshes every second (its clock is fixed, so a refresh is seen by its requests): after the
    // next refresh's account list and its spend report, the panel keeps its range and key.
    await page.waitForRequest((r) => r.url().endsWith("/status/api/v1/accounts"), { timeout: 10_000 });
    await page.waitForResponse((r) => r.url().includes("/v1/accounts/studio/spend?"), { timeout: 10_000 });
    expect(await panel.getAttribute("data-group-by")).toBe("label:client");
    // The select, focused to choose, stays focused through the refresh: the card is rebuilt around the panel, not over it.
    expect(await page.evaluate(() => document.activeElement?.matches("[data-spend-group]"))).toBe(true);
    expect(await panel.getAttribute("data-days")).toBe("30");
    expect(await rowsOf(page, "studio")).toEqual(["acme: $9.00, 3 commits", "(none): $6.00, 2 commits"]);
  });

  it("says so for an account without labelled spend", async () => {
    const empty = page.locator('[data-account="plain"] [data-spend="empty"]');
    expect(await empty.textContent({ timeout: 10_000 })).toBe("No labelled spend yet.");
  });

  it("has reported no console error, failed request or error answer", () => {
    expect(problems).toEqual([]);
  });

  it("reads in the light and the dark theme: the amounts stand out from the card, the bars from their track", async () => {
    const contrast: Record<string, boolean> = {};
    for (const colorScheme of ["light", "dark"] as const) {
      const themed = await browser.context.newPage();
      try {
        await themed.emulateMedia({ colorScheme });
        const themedProblems = collectPageProblems(themed);
        await openPage(themed);
        const row = themed.locator('[data-account="studio"] .spend-bars li[data-key="spring"]');
        await row.waitFor({ timeout: 10_000 });
        expect(await row.locator(".spend-amount").textContent()).toBe("$9.00");
        const colours = await row.evaluate((li) => {
          const style = (selector: string) => getComputedStyle(li.querySelector(selector) as Element);
          const card = li.closest(".account") as Element;
          return {
            text: style(".spend-amount").color,
            card: getComputedStyle(card).backgroundColor,
            fill: style(".spend-fill").backgroundColor,
            track: style(".spend-bar").backgroundColor,
            width: (li.querySelector(".spend-fill") as HTMLElement).getBoundingClientRect().width,
          };
        });
        expect(colours.width).toBeGreaterThan(0);
        contrast[colorScheme] = colours.text !== colours.card && colours.fill !== colours.track;
        expect(themedProblems).toEqual([]);
      } finally {
        await themed.close();
      }
    }
    expect(contrast).toEqual({ light: true, dark: true });
  }, 60_000);
});
