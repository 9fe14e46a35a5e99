import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type Browser, collectPageProblems, launchChromium } from "#test/support/browser";
import { get, post, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { rawRequest } from "#test/support/raw-http";

/**
 * The status page (GET / of the local stack) in a real browser: Debian's Chromium through playwright-core.
 * `UPDATE_SCREENSHOTS=1` also writes docs/status-page-{light,dark}.png and prints the time to first chart.
 */

const POLLS = 12;
/** Readings spread over most of the chart's 24 hours. */
const POLL_SECONDS = 6600;
const BALANCES = [120, 117.5, 114, 111.2, 104, 98.5, 92, 88.4, 80, 74.5, 69, 61.25];
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";

// Polls end at the real time, so the browser's "last 24 h" holds them all and ages read true.
const clock = new TestClock(new Date(Date.now() - POLLS * POLL_SECONDS * 1000));
let stack: LocalStack;
let browser: Browser;
let page: Page;
let problems: string[];

const snapshotCount = async (id: string) =>
  (await get<{ snapshots: unknown[] }>(stack, `/v1/accounts/${id}/history?limit=1000`)).body.snapshots.length;
const chartPoints = (id: string) =>
  page.locator(`[data-account="${id}"] .chart`).getAttribute("data-points", { timeout: 10_000 });

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(
      [
        { id: "default", thresholds: { warning: 100, critical: 40 } },
        { id: "studio", thresholds: { warning: 500, critical: 100 } },
      ],
      { checks: { minRefreshIntervalSeconds: 0 }, alerts: { forecastHorizonHours: 0 } },
    ),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  const sandbox = sandboxOf(stack);
  sandbox.setAccount({
    apiKey: sandboxKeyOf(stack, "studio"),
    billingType: "subscription",
    plan: "team",
    balance: 2400,
    resetsAt: "2027-01-01T00:00:00.000Z",
  });
  for (const [index, balance] of BALANCES.entries()) {
    sandbox.setBalance(sandboxKeyOf(stack, "default"), balance);
    sandbox.setBalance(sandboxKeyOf(stack, "studio"), 2400 - index * 35);
    clock.advance(POLL_SECONDS);
    await stack.pollNow(clock.tick());
  }
  await post(
    stack,
    "/v1/reservations",
    { accountId: "default", amount: 12.5 },
    { "idempotency-key": "page-1" },
  );
  await post(stack, "/v1/accounts/studio/test-alert", { severity: "info" });
  browser = await launchChromium();
  page = await browser.context.newPage();
  problems = collectPageProblems(page);
  await page.goto(`${stack.url}/?refresh=1`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the status page in Chromium", () => {
  it("shows every configured account with its figures", async () => {
    await page.locator("[data-account]").nth(1).waitFor({ timeout: 10_000 });
    expect(
      await page.locator("[data-account]").evaluateAll((els) => els.map((e) => e.dataset.account)),
    ).toEqual(stack.config.accounts.map((a) => a.id));
    const field = (id: string, name: string) =>
      page.locator(`[data-account="${id}"] [data-field="${name}"]`).textContent();
    expect(await field("default", "remaining")).toBe("$61.25");
    expect(await field("default", "reserved")).toBe("$12.50");
    expect(await field("default", "available")).toBe("$48.75");
    expect(await field("default", "level")).toBe("warning");
    expect(await field("default", "forecast")).toMatch(/^runs out in about /);
    expect(await field("studio", "remaining")).toBe("2,015.00 credits");
    expect(await page.locator('[data-account="studio"] .alerts').textContent()).toContain("test");
  });

  it("draws one chart point per recorded snapshot, for each account", async () => {
    for (const id of ["default", "studio"]) {
      expect(await snapshotCount(id)).toBe(POLLS);
      expect(await chartPoints(id)).toBe(String(POLLS));
      expect(await page.locator(`[data-account="${id}"] .chart canvas`).count()).toBe(1);
    }
  });

  it("switches the chart between the last 24 h and 7 d, keeping every snapshot of the window", async () => {
    const hours = () => page.locator('[data-account="studio"] .chart').getAttribute("data-hours");
    expect(await hours()).toBe("24");
    await page.getByRole("button", { name: "7 d" }).click();
    expect(await page.getByRole("button", { name: "7 d" }).getAttribute("aria-pressed")).toBe("true");
    await expect.poll(hours, { timeout: 10_000 }).toBe("168");
    expect(await chartPoints("studio")).toBe(String(POLLS));
    await page.getByRole("button", { name: "24 h" }).click();
    await expect.poll(hours, { timeout: 10_000 }).toBe("24");
  });

  it("lists the open reservations with their age", async () => {
    const holds = page.locator('[data-account="default"] [data-holds]');
    await expect.poll(() => holds.getAttribute("data-holds"), { timeout: 10_000 }).toBe("1");
    expect(await holds.locator("td").nth(1).textContent()).toBe("$12.50");
    expect(await holds.locator('[data-field="age"]').textContent()).toMatch(/^\d+ (s|min)$/);
  });

  it("updates by itself after a sandbox balance change and a refresh", async () => {
    const before = await snapshotCount("default");
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "default"), 30);
    clock.advance(Math.max(1, (Date.now() - clock.now().getTime()) / 1000));
    const refresh = await post(stack, "/v1/accounts/default/refresh");
    expect(refresh.body).toMatchObject({ refreshed: true, remaining: 30 });
    const remaining = page.locator('[data-account="default"] [data-field="remaining"]');
    await expect.poll(() => remaining.textContent(), { timeout: 10_000 }).toBe("$30.00");
    await expect.poll(() => chartPoints("default"), { timeout: 10_000 }).toBe(String(before + 1));
  });

  it("shows the level and the alert that the refresh's reading implies (one reading path)", async () => {
    const level = page.locator('[data-account="default"] [data-field="level"]');
    await expect.poll(() => level.textContent(), { timeout: 10_000 }).toBe("critical");
    await expect
      .poll(() => page.locator('[data-account="default"] .alerts li').first().textContent(), {
        timeout: 10_000,
      })
      .toContain("HeyGen balance is critical");
  });

  // Found by the API fuzz test: "/x/.." was normalised to "/" and answered with the page instead of the API.
  it.each(["/rsv_default_x/..", "/status/../", "/status/app.js/", "//"])(
    "serves the page's files at their exact paths only: %s goes to the API",
    async (path) => {
      const reply = await rawRequest(stack.url, { method: "GET", path, headers: {} });
      expect([reply.status, reply.headers["content-type"]]).toEqual([404, "application/problem+json"]);
    },
  );

  it("has reported no console error, failed request or error answer", () => {
    expect(problems).toEqual([]);
  });

  it.runIf(UPDATE_SCREENSHOTS)("writes the screenshots in docs/ (light and dark)", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const themed = await launchChromium({ colorScheme });
      const themedPage = await themed.context.newPage();
      const started = Date.now();
      await themedPage.goto(`${stack.url}/`);
      await themedPage.locator('[data-account="studio"] .chart[data-points]').waitFor();
      const firstChartMs = await themedPage.evaluate(
        () => performance.getEntriesByName("first-chart")[0]?.startTime ?? null,
      );
      console.log(
        `status page (${colorScheme}): first chart at ${firstChartMs} ms, loaded in ${Date.now() - started} ms`,
      );
      await themedPage.screenshot({
        path: join(import.meta.dirname, `../../docs/status-page-${colorScheme}.png`),
        fullPage: true,
      });
      await themed.close();
    }
  });
});
