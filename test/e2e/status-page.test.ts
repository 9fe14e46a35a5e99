import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTime } from "#core/alert-text";
import { localSigV4Keys } from "#local/sigv4";
import type { LocalStack } from "#local/stack";
import { type Browser, collectPageProblems, launchChromium } from "#test/support/browser";
import { get, post, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
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
const BALANCES = [120, 117.5, 114, 111.2, 104, 98.5, 92, 88.4, 80, 74.5, 69, 61.25];
/** The page's and the stack's "now" when the page opens: fixed, so that the screenshots are reproducible. */
const OPENED_AT = new Date("2026-12-01T18:00:00.000Z");
/** A zone far from UTC: any time the page wrote in local time would show here. */
const BROWSER_ZONE = "America/New_York";
const SCREENSHOTS = { light: "docs/status-page-light.png", dark: "docs/status-page-dark.png" } as const;

const clock = new TestClock(new Date(OPENED_AT.getTime() - POLLS * POLL_SECONDS * 1000));
let stack: LocalStack;
let browser: Browser;
let page: Page;
let problems: string[];

const snapshotCount = async (id: string) =>
  (await get<{ snapshots: unknown[] }>(stack, `/v1/accounts/${id}/history?limit=1000`)).body.snapshots.length;
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
            String(await snapshotCount(id)),
          );
        }
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
    expect(await signedPage.locator("#status").textContent()).toMatch(/^Updated /);
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
  });
});
