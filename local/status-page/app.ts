/// <reference lib="dom" />
import { forecastWait, formatAmount, formatHours, formatTime } from "#core/alert-text";
import {
  type AccountDetail,
  type AlertEntry,
  accountDetail,
  budgetsOf,
  canListReservations,
  historyBefore,
  historySince,
  latestAlerts,
  listAccounts,
  openReservations,
  type Reservation,
  type Snapshot,
} from "./api.ts";
import { budgetTable, pausedBanner } from "./budgets.ts";
import { BalanceChart } from "./chart.ts";
import { el } from "./dom.ts";
import { SpendPanel } from "./spend.ts";

/**
 * The local stack's status page (GET /): every account's balance, availability, level and forecast, its
 * kill switch and budgets, its balance chart, its spend by label, latest alerts and open reservations, read from the public API
 * and refreshed every few seconds (`?refresh=SECONDS`, default 5). No framework: a handful of elements
 * rebuilt per refresh.
 */

const RANGES = { "24h": 24, "7d": 7 * 24 } as const;
type Range = keyof typeof RANGES;

const params = new URLSearchParams(location.search);
const refreshSeconds = Math.max(1, Number(params.get("refresh")) || 5);
let range: Range = params.get("range") === "7d" ? "7d" : "24h";
const charts = new Map<string, BalanceChart>();
const spendPanels = new Map<string, SpendPanel>();
const TICK = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
let listsReservations: Promise<boolean> | undefined;

/**
 * Per account, the time (epoch ms) of a reading known to exist: a window starting at or after it is covered by
 * history, so the chart keeps the whole window without asking again (readings are kept for retentionDays).
 */
const readingKnownAt = new Map<string, number>();

/** Whether the account has a reading at or before `since` (asked once, then remembered). */
async function historyCovers(id: string, since: Date): Promise<boolean> {
  const known = readingKnownAt.get(id);
  if (known !== undefined && known <= since.getTime()) return true;
  const covered = await historyBefore(id, since);
  if (covered) readingKnownAt.set(id, Math.min(known ?? Number.POSITIVE_INFINITY, since.getTime()));
  return covered;
}

function ageText(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return formatHours(seconds / 3600);
}

function forecastText(account: AccountDetail): string {
  const f = account.forecast;
  if (!f) return "unknown (no balance yet)";
  if (f.burnRatePerHour === null) return `not enough readings yet: ${forecastWait(f)}`;
  if (f.burnRatePerHour === 0) return "nothing consumed recently";
  if (f.cappedByResetAt) return `lasts until the reset at ${formatTime(f.cappedByResetAt)}`;
  if (f.cappedByAutoReloadAt) return `auto-reload due around ${formatTime(f.cappedByAutoReloadAt)}`;
  if (f.hoursToExhaustion === 0) return "nothing left to spend";
  if (f.hoursToExhaustion === null || f.exhaustsAt === null) return "no exhaustion forecast";
  return `runs out in about ${formatHours(f.hoursToExhaustion)} (${formatTime(f.exhaustsAt)})`;
}

function figure(label: string, field: string, value: string, title = ""): HTMLElement {
  return el("div", { class: "figure" }, el("dt", {}, label), el("dd", { "data-field": field, title }, value));
}

function figures(account: AccountDetail): HTMLElement {
  const unit = account.unit;
  const amount = (value: number | null) =>
    value === null || unit === null ? "–" : formatAmount(value, unit);
  const observed = account.balanceObservedAt ? `read ${formatTime(account.balanceObservedAt)}` : "never read";
  return el(
    "dl",
    { class: "figures" },
    figure("Balance", "remaining", amount(account.remaining), observed),
    figure("Available", "available", amount(account.available), "balance − reserved − reserve floor"),
    figure(
      "Reserved",
      "reserved",
      amount(account.reserved),
      `${account.activeReservations} open reservations`,
    ),
    figure("Level", "level", account.alertLevel),
    figure("Forecast", "forecast", forecastText(account)),
  );
}

function alertList(alerts: AlertEntry[]): HTMLElement {
  if (alerts.length === 0) return el("p", { class: "quiet" }, "No alerts yet.");
  return el(
    "ol",
    { class: "alerts" },
    ...alerts.map((a) =>
      el(
        "li",
        { class: `severity-${a.severity}` },
        el("time", { datetime: a.createdAt }, formatTime(a.createdAt)),
        " ",
        a.test ? el("span", { class: "tag" }, "test") : null,
        a.status === "failed" ? el("span", { class: "tag failed" }, "not sent") : null,
        el("span", { class: "subject" }, a.subject.replace(/^\[Quota Guard\] /, "")),
      ),
    ),
  );
}

function holdList(account: AccountDetail, holds: Reservation[] | undefined): HTMLElement {
  if (holds === undefined) {
    const oldest = account.oldestOpenHoldAgeSeconds;
    const age =
      typeof oldest === "number" && account.activeReservations > 0
        ? `, the oldest ${ageText(oldest)} old`
        : "";
    return el(
      "p",
      { class: "quiet", "data-holds": "unavailable" },
      `${account.activeReservations} open${age}; this API version does not list them (GET /v1/reservations).`,
    );
  }
  if (holds.length === 0) return el("p", { class: "quiet", "data-holds": "0" }, "No open reservations.");
  const now = Date.now();
  const unit = account.unit ?? "credits";
  return el(
    "table",
    { class: "holds", "data-holds": String(holds.length) },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Reservation"),
        el("th", {}, "Held"),
        el("th", {}, "Age"),
        el("th", {}, "Expires in"),
      ),
    ),
    el(
      "tbody",
      {},
      ...holds.map((h) =>
        el(
          "tr",
          {},
          el("td", { class: "id" }, h.id),
          el("td", {}, formatAmount(h.heldAmount ?? h.amount, h.unit ?? unit)),
          el("td", { "data-field": "age" }, ageText((now - Date.parse(h.createdAt)) / 1000)),
          el("td", {}, ageText((Date.parse(h.expiresAt) - now) / 1000)),
        ),
      ),
    ),
  );
}

function chartOf(id: string): { chart: BalanceChart; element: HTMLElement } {
  let chart = charts.get(id);
  const existing = document.querySelector<HTMLElement>(`[data-account="${CSS.escape(id)}"] .chart`);
  const element = existing ?? el("div", { class: "chart", role: "img", "aria-label": `Balance of ${id}` });
  if (!chart || !existing) {
    chart = new BalanceChart(element);
    charts.set(id, chart);
  }
  return { chart, element };
}

/** The account's spend panel, made once: it keeps its range and grouping across refreshes. */
function spendPanelOf(id: string): SpendPanel {
  let panel = spendPanels.get(id);
  if (!panel) {
    listsReservations ??= canListReservations();
    const lists = listsReservations;
    panel = new SpendPanel(id, () => lists);
    spendPanels.set(id, panel);
  }
  return panel;
}

/**
 * Rebuilds `card` around `kept` (moved in only the first time): a focused control in it keeps its focus,
 * which a card rebuilt whole would take away at every refresh.
 */
function rebuildAround(card: HTMLElement, kept: HTMLElement, before: HTMLElement[], after: HTMLElement[]) {
  if (kept.parentElement !== card) card.append(kept);
  for (const child of [...card.children]) if (child !== kept) child.remove();
  kept.before(...before);
  kept.after(...after);
}

/** The account's card; new cards are added in the configured order, before any answer arrives. */
function cardOf(id: string): HTMLElement {
  const existing = document.querySelector<HTMLElement>(`[data-account="${CSS.escape(id)}"]`);
  if (existing) return existing;
  const card = el("section", { class: "account", "data-account": id });
  document.querySelector("#accounts")?.append(card);
  return card;
}

async function renderAccount(id: string, since: Date, now: Date): Promise<void> {
  listsReservations ??= canListReservations();
  const [account, history, covered, alerts, holds, budgets] = await Promise.all([
    accountDetail(id),
    historySince(id, since),
    historyCovers(id, since),
    latestAlerts(id, 5),
    listsReservations.then((yes) => (yes ? openReservations(id, 20) : undefined)),
    budgetsOf(id),
  ]);
  const { chart, element } = chartOf(id);
  const card = cardOf(id);
  const body = [
    el(
      "header",
      {},
      el("h2", {}, id),
      el("span", { class: `level level-${account.alertLevel}` }, account.alertLevel),
      account.monitorDegraded
        ? el("span", { class: "tag failed", title: account.lastFailure?.message ?? "" }, "monitor degraded")
        : null,
      account.paused ? el("span", { class: "tag failed" }, "paused") : null,
    ),
    pausedBanner(account),
    figures(account),
    budgetTable(account, budgets),
    element,
    el(
      "div",
      { class: "columns" },
      el("section", {}, el("h3", {}, "Latest alerts"), alertList(alerts)),
      el("section", {}, el("h3", {}, "Open reservations"), holdList(account, holds)),
    ),
  ];
  const parts = body.filter((part) => part !== null);
  const afterChart = parts.indexOf(element) + 1;
  const spend = spendPanelOf(id);
  rebuildAround(card, spend.element, parts.slice(0, afterChart), parts.slice(afterChart));
  drawChart(chart, account, history, { since, now, covered });
  await spend.update(account.unit ?? "credits", now).catch((error) => spend.failed(error));
}

function drawChart(
  chart: BalanceChart,
  account: AccountDetail,
  history: Snapshot[],
  window: { since: Date; now: Date; covered: boolean },
) {
  const unit = account.unit ?? "credits";
  chart.update({
    times: history.map((s) => Date.parse(s.observedAt) / 1000),
    balances: history.map((s) => s.remaining),
    warning: account.thresholds.warning,
    critical: account.thresholds.critical,
    reserved: account.reserved,
    from: window.since.getTime() / 1000,
    to: window.now.getTime() / 1000,
    historyBefore: window.covered,
    formatAmount: (value) => formatAmount(value, unit),
    formatTick: (value) => `${unit === "usd" ? "$" : ""}${TICK.format(value)}`,
  });
}

function setStatus(text: string, failed = false): void {
  const status = document.querySelector("#status");
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

async function refresh(): Promise<void> {
  const now = new Date();
  const since = new Date(now.getTime() - RANGES[range] * 3_600_000);
  try {
    const ids = await listAccounts();
    for (const id of ids) cardOf(id);
    await Promise.all(ids.map((id) => renderAccount(id, since, now)));
    setStatus(`Updated ${formatTime(now.toISOString())} · every ${refreshSeconds} s`);
    document.body.dataset.refreshedAt = now.toISOString();
  } catch (error) {
    // Shown on the page, not thrown: the local stack may be stopping or restarting.
    setStatus(
      `Could not reach the API (${(error as Error).message}); retrying every ${refreshSeconds} s`,
      true,
    );
  }
}

function setUpRangeButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-range]")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === range));
    button.addEventListener("click", () => {
      range = button.dataset.range === "7d" ? "7d" : "24h";
      for (const b of document.querySelectorAll("[data-range]")) {
        b.setAttribute("aria-pressed", String(b === button));
      }
      void refresh();
    });
  }
}

async function loop(): Promise<void> {
  await refresh();
  setTimeout(loop, refreshSeconds * 1000);
}

setUpRangeButtons();
void loop();
