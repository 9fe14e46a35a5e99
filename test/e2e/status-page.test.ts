import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTime } from "#core/alert-text";
import type { Budget } from "#core/budget";
import { localSigV4Keys } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import { type Browser, collectPageProblems, launchChromium } from "#test/support/browser";
import { call, get, post, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { rawRequest } from "#test/support/raw-http";

/**
 * The status page (GET / of the local stack) in a real browser: Debian's Chromium through playwright-core.
 * The page and the stack run on a fixed clock, so an unchanged page gives the same pictures: with
 * QG_WRITE_SCREENSHOTS=1 (`npm run screenshots`) the theme test also writes docs/status-page-{light,dark}.png,
 * the pictures the docs show. A plain test run writes no file.
 */

const POLLS = 12;
/** Readings spread over most of the chart's 24 hours. */
const POLL_SECONDS = 6600;
/** One reading before them, older than the 24 h window, so that history covers it (and not the 7 d one). */
const EARLIER_READING_HOURS = 26;
const BALANCES = [120, 117.5, 114, 111.2, 104, 98.5, 92, 88.4, 80, 74.5, 69, 61.25];
/** The page's and the stack's "now" when the page opens: fixed, so that the screenshots are reproducible. */
const OPENED_AT = new Date("2026-12-01T18:00:00.000Z");
/** A zone far from UTC: any time the page wrote in local time would show here. */
const BROWSER_ZONE = "America/New_York";
const SCREENSHOTS = { light: "docs/status-page-light.png", dark: "docs/status-page-dark.png" } as const;

const clock = new TestClock(new Date(OPENED_AT.getTime() - EARLIER_READING_HOURS * 3_600_000));
let stack: LocalStack;
let browser: Browser;
let page: Page;
let problems: string[];

const snapshotCount = async (id: string) =>
  (await get<{ snapshots: unknown[] }>(stack, `/v1/accounts/${id}/history?limit=1000`)).body.snapshots.length;
/** The snapshots of the page's 24 h window at the stack's clock. */
const snapshotsOfDay = async (id: string) => {
  const since = new Date(clock.now().getTime() - 24 * 3_600_000).toISOString();
  const path = `/v1/accounts/${id}/history?limit=1000&since=${since}`;
  return (await get<{ snapshots: unknown[] }>(stack, path)).body.snapshots.length;
};
const chartPoints = (id: string) =>
  page.locator(`[data-account="${id}"] .chart`).getAttribute("data-points", { timeout: 10_000 });
const chartData = async (id: string, name: "x-ticks" | "y-ticks") =>
  JSON.parse(
    (await page.locator(`[data-account="${id}"] .chart`).getAttribute(`data-${name}`, { timeout: 10_000 })) ??
      "null",
  ) as unknown[] | null;

/** Opens the page in `target` at the stack's clock, as a person would at that time. */
async function openPage(target: Page, query = ""): Promise<void> {
  await target.clock.setFixedTime(clock.now());
  await target.goto(`${stack.url}/${query}`);
}

/** The relative luminance (0 dark … 1 light) of a CSS `rgb(r, g, b)` colour. */
function luminance(cssColour: string): number {
  const [r = 0, g = 0, b = 0] = (cssColour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Writes a budget of `default`'s counters through the store: what reserves and commits through it would. */
async function writeCounters(id: string, fields: Partial<Budget>): Promise<void> {
  const budget = await stack.services.store.getBudget("default", id);
  if (!budget) throw new Error(`budget ${id} was not stored`);
  const written = await stack.services.store.saveBudget(
    { ...budget, ...fields, version: budget.version + 1 },
    { expectedVersion: budget.version, restarted: true, leftDelta: 0 },
  );
  expect(written).toBe(true);
}

/**
 * Budgets on `default` through the API, with counters written through the store and `agency` paused through
 * its route; `studio` paused through the API.
 */
async function setUpBudgetsAndPause(): Promise<void> {
  const budgets = "/v1/accounts/default/budgets";
  const budgetBodies = {
    marketing: { limit: 25, period: "day", timeZone: "America/New_York", maxConcurrentHolds: 4 },
    "brand-a": { limit: 300, period: "month", mode: "soft" },
    agency: { limit: 50, period: "week", maxConcurrentHolds: 2 },
  };
  for (const [id, json] of Object.entries(budgetBodies)) {
    expect((await call(stack, "PUT", `${budgets}/${id}`, { json })).status).toBe(201);
  }
  await writeCounters("agency", { held: 8, committed: 30 });
  const pausedBudget = await post(stack, `${budgets}/agency/pause`, { reason: "client invoice disputed" });
  expect(pausedBudget.status).toBe(200);
  // Soft: granted past its limit.
  await writeCounters("brand-a", { held: 0, committed: 320 });
  const pause = await post(stack, "/v1/accounts/studio/pause", { reason: "runaway render loop" });
  expect(pause.status).toBe(200);
}

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
  sandbox.setBalance(sandboxKeyOf(stack, "default"), BALANCES[0] as number);
  await stack.pollNow(clock.tick());
  clock.advance(EARLIER_READING_HOURS * 3600 - POLLS * POLL_SECONDS);
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
  await setUpBudgetsAndPause();
  browser = await launchChromium({ timezoneId: BROWSER_ZONE });
  page = await browser.context.newPage();
  problems = collectPageProblems(page);
  await openPage(page, "?refresh=1");
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

  it("draws one chart point per snapshot of the window, for each account", async () => {
    for (const id of ["default", "studio"]) {
      expect(await snapshotCount(id)).toBe(POLLS + 1);
      expect(await chartPoints(id)).toBe(String(POLLS));
      expect(await page.locator(`[data-account="${id}"] .chart canvas`).count()).toBe(1);
    }
  });

  // The 24 h window is covered by history (a reading 26 h old), so it is kept whole; the 7 d one is not, so
  // its axis fits the 26 h of history (with 5 % of room) instead of squeezing it into the right sixth.
  it("switches the chart between the last 24 h and 7 d, keeping every snapshot of the window", async () => {
    const hours = () => page.locator('[data-account="studio"] .chart').getAttribute("data-hours");
    expect(await hours()).toBe("24");
    await page.getByRole("button", { name: "7 d" }).click();
    expect(await page.getByRole("button", { name: "7 d" }).getAttribute("aria-pressed")).toBe("true");
    await expect.poll(hours, { timeout: 10_000 }).toBe("27");
    expect(await chartPoints("studio")).toBe(String(POLLS + 1));
    const width = await page.locator('[data-account="studio"] .chart').getAttribute("data-points-width");
    expect(Number(width)).toBeGreaterThan(0.9);
    await page.getByRole("button", { name: "24 h" }).click();
    await expect.poll(hours, { timeout: 10_000 }).toBe("24");
  });

  it("lists the open reservations with their age", async () => {
    const holds = page.locator('[data-account="default"] [data-holds]');
    await expect.poll(() => holds.getAttribute("data-holds"), { timeout: 10_000 }).toBe("1");
    expect(await holds.locator("td").nth(1).textContent()).toBe("$12.50");
    expect(await holds.locator('[data-field="age"]').textContent()).toMatch(/^\d+ (s|min)$/);
  });

  it("shows each budget's limit, period, committed, held, what is left and its slots, in a table", async () => {
    const card = page.locator('[data-account="default"]');
    const table = card.getByRole("table", { name: "Budgets" });
    await table.waitFor({ timeout: 10_000 });
    expect(await table.getByRole("columnheader").allTextContents()).toEqual([
      "Budget",
      "Limit",
      "Period",
      "Committed",
      "Held",
      "Left this period",
      "Slots in use",
    ]);
    // By id, as the API lists them; each row named by its row header.
    expect(await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.budget))).toEqual([
      "agency",
      "brand-a",
      "marketing",
    ]);
    const cells = (id: string) =>
      table
        .locator(`[data-budget="${id}"] td`)
        .evaluateAll((tds) => tds.map((td) => `${td.dataset.column}: ${td.textContent}`));
    // 18:00 UTC is 13:00 in New York: the day ends at midnight there, 05:00 UTC.
    expect(await cells("marketing")).toEqual([
      "limit: $25.00",
      "period: day (America/New_York)ends 2026-12-02 05:00 UTC",
      "committed: $0.00",
      "held: $0.00",
      "available: $25.00",
      "slots: 0 of 4",
    ]);
    expect(await cells("agency")).toEqual([
      "limit: $50.00",
      "period: weekends 2026-12-07 00:00 UTC",
      "committed: $30.00",
      "held: $8.00",
      "available: $12.00",
      "slots: 0 of 2",
    ]);
    // Soft, past its limit; no cap on slots: the count alone.
    expect(await cells("brand-a")).toEqual([
      "limit: $300.00",
      "period: monthends 2027-01-01 00:00 UTC",
      "committed: $320.00",
      "held: $0.00",
      "available: over by $20.00",
      "slots: 0",
    ]);
    expect(
      await table.locator('[data-budget="brand-a"] [data-column="available"]').getAttribute("data-level"),
    ).toBe("out");
    expect(await table.locator('[data-budget="brand-a"] th').textContent()).toBe("brand-asoft");
    expect(await table.locator('[data-budget="marketing"] th').textContent()).toBe("marketing");
  });

  it("marks a paused budget with its reason, in words", async () => {
    const row = page.locator('[data-account="default"] [data-budget="agency"]');
    expect(await row.getAttribute("data-paused")).toBe("true");
    expect(await row.locator("th .tag").textContent()).toBe("paused");
    expect(await row.locator('[data-column="pause-reason"]').textContent()).toBe("client invoice disputed");
    expect(await page.locator('[data-account="default"] [data-paused="true"]').count()).toBe(1);
  });

  it("shows a paused account's banner with the reason, and no budget table for an account without budgets", async () => {
    const studio = page.locator('[data-account="studio"]');
    const banner = studio.locator('[data-paused="account"]');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.locator("strong").textContent()).toBe("Paused");
    expect(await banner.locator('[data-field="pause-reason"]').textContent()).toBe("runaway render loop");
    expect(await banner.textContent()).toMatch(/ · by .+, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\. /);
    expect(await studio.locator("header .tag").allTextContents()).toContain("paused");
    expect(await studio.locator(".budgets, table.budget-table").count()).toBe(0);
    expect(await studio.getByRole("heading", { name: "Budgets" }).count()).toBe(0);
    expect(await page.locator('[data-account="default"] [data-paused="account"]').count()).toBe(0);
  });

  it("updates by itself after a sandbox balance change and a refresh", async () => {
    const before = await snapshotsOfDay("default");
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "default"), 30);
    clock.advance(60);
    await page.clock.setFixedTime(clock.now());
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

  it("tops each chart's y axis at or above the highest balance it plots", async () => {
    for (const id of ["default", "studio"]) {
      const { snapshots } = (
        await get<{ snapshots: { remaining: number }[] }>(stack, `/v1/accounts/${id}/history?limit=1000`)
      ).body;
      const highest = Math.max(...snapshots.map((s) => s.remaining));
      const ticks = (await chartData(id, "y-ticks")) as number[];
      expect(ticks.length).toBeGreaterThan(1);
      expect(Math.max(...ticks)).toBeGreaterThanOrEqual(highest);
    }
  });

  it("writes every time in one format, in UTC, and says so, whatever the browser's zone", async () => {
    expect(await page.locator("#status").textContent()).toBe(
      `Updated ${formatTime(clock.tick())} · every 1 s`,
    );
    expect(await page.locator("footer").textContent()).toContain("All times are UTC");
    const alertTimes = await page
      .locator(".alerts time")
      .evaluateAll((els) => els.map((e) => [e.getAttribute("datetime") ?? "", e.textContent ?? ""]));
    expect(alertTimes.length).toBeGreaterThan(0);
    for (const [iso, text] of alertTimes) expect(text).toBe(formatTime(iso as string));
    const account = (await get<{ balanceObservedAt: string }>(stack, "/v1/accounts/default")).body;
    expect(
      await page.locator('[data-account="default"] [data-field="remaining"]').getAttribute("title"),
    ).toBe(`read ${formatTime(account.balanceObservedAt)}`);
    // The x axis: 24-hour UTC clock times, the date (YYYY-MM-DD) under the first and at each new day.
    const ticks = (await chartData("default", "x-ticks")) as string[];
    expect(ticks.length).toBeGreaterThan(2);
    for (const tick of ticks) expect(tick).toMatch(/^\d{2}:\d{2}(\n\d{4}-\d{2}-\d{2})?$/);
    expect(ticks[0]).toContain("\n2026-11-30");
    expect(ticks).toContain("00:00\n2026-12-01");
    // No other way of writing a time anywhere on the page: no am/pm, no US dates.
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/\b\d{1,2}(:\d{2})*\s?[ap]\.?m\b/i);
    expect(text).not.toMatch(/\b\d{1,2}\/\d{1,2}(\/\d{2,4})?\b/);
    for (const time of text.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}[^\n]{0,4}/g) ?? []) {
      expect(time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    }
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

  it("shows the same figures in the light and the dark theme, on a light and a dark background", async () => {
    const background: Record<string, number> = {};
    const pictures: Record<string, Buffer> = {};
    for (const colorScheme of ["light", "dark"] as const) {
      // A page of its own in the test's browser (same zone), in the theme's colour scheme.
      const themedPage = await browser.context.newPage();
      try {
        await themedPage.emulateMedia({ colorScheme });
        const themedProblems = collectPageProblems(themedPage);
        await openPage(themedPage);
        await themedPage.locator('[data-account="studio"] .chart[data-points]').waitFor();
        const field = (id: string, name: string) =>
          themedPage.locator(`[data-account="${id}"] [data-field="${name}"]`).textContent();
        expect(await field("default", "remaining")).toBe("$30.00");
        expect(await field("default", "level")).toBe("critical");
        expect(await field("studio", "remaining")).toBe("2,015.00 credits");
        expect(
          await themedPage.locator('[data-account="default"] [data-holds]').getAttribute("data-holds"),
        ).toBe("1");
        expect(
          await themedPage.locator('[data-account="studio"] [data-holds]').getAttribute("data-holds"),
        ).toBe("0");
        for (const id of ["default", "studio"]) {
          expect(await themedPage.locator(`[data-account="${id}"] .chart`).getAttribute("data-points")).toBe(
            String(await snapshotsOfDay(id)),
          );
        }
        expect(await themedPage.locator('[data-account="default"] [data-budget]').count()).toBe(3);
        expect(await themedPage.locator('[data-account="studio"] [data-paused="account"]').count()).toBe(1);
        expect(await themedPage.locator("#status").textContent()).toMatch(
          /^Updated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/,
        );
        expect(await themedPage.locator("body").innerText()).not.toContain("does not list them");
        expect(themedProblems).toEqual([]);
        background[colorScheme] = luminance(
          await themedPage.evaluate(() => getComputedStyle(document.body).backgroundColor),
        );
        pictures[colorScheme] = await themedPage.screenshot({ fullPage: true });
        if (process.env.QG_WRITE_SCREENSHOTS === "1") {
          writeFileSync(join(import.meta.dirname, "../..", SCREENSHOTS[colorScheme]), pictures[colorScheme]);
        }
      } finally {
        await themedPage.close();
      }
    }
    expect(background.light).toBeGreaterThan(0.8);
    expect(background.dark).toBeLessThan(0.2);
    expect(pictures.light?.equals(pictures.dark as Buffer)).toBe(false);
  }, 120_000);
});

// Issue 22's side fix: a fresh install's first minutes of history were a vertical line at the right edge of
// the 24 h chart (the points spanned 2 % of its width).
describe("the status page on a fresh install", () => {
  const freshClock = new TestClock(new Date(OPENED_AT.getTime() - 30 * 60_000));
  let fresh: LocalStack;
  let freshBrowser: Browser;
  let freshPage: Page;

  beforeAll(async () => {
    fresh = await startTestStack({
      config: testConfig([{ id: "default" }]),
      env: {},
      now: freshClock.now,
      pollIntervalSeconds: 0,
    });
    // Four readings over the last 30 minutes, the first ones the stack ever made.
    for (const [index, balance] of [120, 118, 115, 111].entries()) {
      if (index > 0) freshClock.advance(600);
      sandboxOf(fresh).setBalance(sandboxKeyOf(fresh, "default"), balance);
      await fresh.pollNow(freshClock.tick());
    }
    freshBrowser = await launchChromium({ timezoneId: BROWSER_ZONE });
    freshPage = await freshBrowser.context.newPage();
    await freshPage.clock.setFixedTime(freshClock.now());
    await freshPage.goto(`${fresh.url}/`);
  }, 60_000);

  afterAll(async () => {
    await freshBrowser?.close();
    await fresh?.stop();
  });

  it("fits the time axis to the 30 minutes of history: the points span most of the chart's width", async () => {
    const chart = freshPage.locator('[data-account="default"] .chart');
    await expect.poll(() => chart.getAttribute("data-points"), { timeout: 10_000 }).toBe("4");
    expect(Number(await chart.getAttribute("data-points-width"))).toBeGreaterThan(0.9);
    expect(await chart.getAttribute("data-hours")).toBe("1");
    // Ticks in minutes of the half hour, not hours of the day.
    const ticks = (await chart.getAttribute("data-x-ticks")) ?? "[]";
    expect((JSON.parse(ticks) as string[]).every((t) => /^(17:[3-5]\d|18:00)/.test(t))).toBe(true);
  });
});

describe("the status page under LOCAL_SIGV4=1", () => {
  let signed: LocalStack;
  // A browser of its own: the first one's clock is fixed (a Playwright clock is the whole context's).
  let signedBrowser: Browser;
  let signedPage: Page;
  let signedProblems: string[];

  beforeAll(async () => {
    signed = await startTestStack({
      config: testConfig([{ id: "default" }]),
      env: {},
      sigv4: localSigV4Keys(),
      pollIntervalSeconds: 0,
    });
    await signed.pollNow();
    signedBrowser = await launchChromium({ timezoneId: BROWSER_ZONE });
    signedPage = await signedBrowser.context.newPage();
    signedProblems = collectPageProblems(signedPage);
    await signedPage.goto(`${signed.url}/?refresh=1`);
  }, 60_000);

  afterAll(async () => {
    await signedBrowser?.close();
    await signed?.stop();
  });

  it("shows the accounts: the page's own reads need no signature", async () => {
    const remaining = signedPage.locator('[data-account="default"] [data-field="remaining"]');
    await expect.poll(() => remaining.textContent(), { timeout: 10_000 }).toBe("$120.00");
    await expect
      .poll(() => signedPage.locator('[data-account="default"] .chart').getAttribute("data-points"), {
        timeout: 10_000,
      })
      .toBe("1");
    // The spend panel's reads may end after the chart is drawn: the status says "Updated" once all have.
    await expect
      .poll(() => signedPage.locator("#status").textContent(), { timeout: 10_000 })
      .toMatch(/^Updated /);
    // This browser runs on the real clock (the other's is fixed for the screenshots), so it is the one timed.
    const firstChartMs = await signedPage.evaluate(
      () => performance.getEntriesByName("first-chart")[0]?.startTime ?? null,
    );
    console.log(`status page: first chart at ${firstChartMs} ms after navigation`);
    expect(signedProblems).toEqual([]);
  });

  it("still refuses the API unsigned, and passes only the page's reads through", async () => {
    const unsigned = async (method: string, path: string) =>
      (await rawRequest(signed.url, { method, path, headers: {} })).status;
    expect(await unsigned("GET", "/v1/accounts")).toBe(403);
    expect(await unsigned("POST", "/status/api/v1/reservations")).toBe(403);
    expect(await unsigned("POST", "/status/api/v1/accounts/default/refresh")).toBe(403);
    expect(await unsigned("GET", "/status/api/v1/accounts/default/events")).toBe(403);
    expect(await unsigned("GET", "/status/api/v1/accounts/x/../../v1/accounts/default/events")).toBe(403);
    expect(await unsigned("GET", "/status/api/v1/accounts/default")).toBe(200);
    expect(await unsigned("GET", "/status/api/v1/accounts/default/budgets")).toBe(200);
    expect(await unsigned("GET", "/status/api/v1/accounts/default/budgets/x")).toBe(403);
  });
});
