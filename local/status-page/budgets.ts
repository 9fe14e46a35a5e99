/// <reference lib="dom" />
import { formatAmount, formatTime } from "#core/alert-text";
import type { Unit } from "#core/balance";
import type { AccountDetail, Budget } from "./api.ts";
import { el } from "./dom.ts";

/**
 * The account's kill switch and its budgets on its card (docs/budgets.md): a banner while the account is
 * paused, and a table of the budgets as used in their current periods. Every state is written in words, not
 * told by colour alone; an account without budgets gets no table.
 */

/** The banner of a paused account (GET /v1/accounts/{id} `paused`), or null when it is not paused. */
export function pausedBanner(account: AccountDetail): HTMLElement | null {
  const paused = account.paused;
  if (!paused) return null;
  return el(
    "div",
    { class: "banner paused", "data-paused": "account" },
    el("strong", {}, "Paused"),
    " ",
    el("span", { "data-field": "pause-reason" }, paused.reason),
    el(
      "span",
      { class: "quiet" },
      ` · by ${paused.by}, ${formatTime(paused.at)}. Checks deny and new reservations are refused until it is resumed; holds already made still settle.`,
    ),
  );
}

const PERIOD_WORD = { hour: "hour", day: "day", week: "week", month: "month", total: "total" } as const;

function periodCell(budget: Budget): HTMLElement {
  const zone = budget.timeZone === "UTC" ? "" : ` (${budget.timeZone})`;
  const end = budget.periodEnd
    ? el("time", { datetime: budget.periodEnd }, `ends ${formatTime(budget.periodEnd)}`)
    : "never ends";
  return el(
    "td",
    { "data-column": "period" },
    `${PERIOD_WORD[budget.period]}${zone}`,
    el("br"),
    el("span", { class: "quiet" }, end),
  );
}

/** What is left this period, with a bar of the share used (the bar is decoration: the text says it all). */
function leftCell(budget: Budget, unit: Unit): HTMLElement {
  const used = budget.committed + budget.held;
  const share = budget.limit > 0 ? Math.min(1, used / budget.limit) : 1;
  const text =
    budget.available < 0
      ? `over by ${formatAmount(-budget.available, unit)}`
      : formatAmount(budget.available, unit);
  const level = budget.available <= 0 ? "out" : share >= 0.8 ? "low" : "ok";
  const bar = el("span", { class: `used used-${level}` });
  // Through the CSSOM: the page's CSP refuses style attributes.
  bar.style.width = `${(share * 100).toFixed(1)}%`;
  return el(
    "td",
    { "data-column": "available", "data-level": level },
    text,
    el("span", { class: "usage", "aria-hidden": "true" }, bar),
  );
}

function slotsText(budget: Budget): string {
  return budget.maxConcurrentHolds === null
    ? String(budget.openHolds)
    : `${budget.openHolds} of ${budget.maxConcurrentHolds}`;
}

function budgetRow(budget: Budget, unit: Unit): HTMLElement {
  return el(
    "tr",
    { "data-budget": budget.id, ...(budget.paused ? { "data-paused": "true" } : {}) },
    el(
      "th",
      { scope: "row" },
      el("span", { class: "id" }, budget.id),
      budget.mode === "soft"
        ? el("span", { class: "tag", title: "grants past its limit; the alerts say so" }, "soft")
        : null,
      budget.paused ? el("span", { class: "tag failed" }, "paused") : null,
      budget.paused && budget.pauseReason
        ? el("div", { class: "quiet", "data-column": "pause-reason" }, budget.pauseReason)
        : null,
    ),
    el("td", { "data-column": "limit" }, formatAmount(budget.limit, unit)),
    periodCell(budget),
    el("td", { "data-column": "committed" }, formatAmount(budget.committed, unit)),
    el("td", { "data-column": "held" }, formatAmount(budget.held, unit)),
    leftCell(budget, unit),
    el("td", { "data-column": "slots" }, slotsText(budget)),
  );
}

/** The account's budgets as a table, or null when it has none (no empty table). */
export function budgetTable(account: AccountDetail, budgets: Budget[]): HTMLElement | null {
  if (budgets.length === 0) return null;
  const unit = account.unit ?? "credits";
  const headings = ["Budget", "Limit", "Period", "Committed", "Held", "Left this period", "Slots in use"];
  return el(
    "section",
    { class: "budgets" },
    el("h3", { id: `budgets-${account.accountId}` }, "Budgets"),
    el(
      "table",
      { class: "budget-table", "aria-labelledby": `budgets-${account.accountId}` },
      el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...budgets.map((b) => budgetRow(b, unit))),
    ),
  );
}
