/// <reference lib="dom" />
import { formatAmount } from "#core/alert-text";
import type { Unit } from "#core/balance";
import { labelKeysOf, type SpendReport, spendReport } from "./api.ts";
import { el } from "./dom.ts";

/**
 * The card's "Spend by label" chart (docs/spend.md, Reports): the committed spend of the last 7 or 30 days
 * per value of one label key, as bars with each amount and count written beside them (the bars are
 * decoration: the text says it all). The key defaults to the first one seen on the account's holds; with no
 * labels the spend is grouped by job type. The panel's element lives across refreshes, so its controls
 * keep their state and focus while the card around it is rebuilt.
 */

const DAYS = [7, 30] as const;
type Days = (typeof DAYS)[number];
const JOB_TYPE = "jobType";
const DAY_MS = 86_400_000;

export class SpendPanel {
  readonly element: HTMLElement;
  #days: Days = 7;
  /** The grouping the user chose (`label:<key>` or `jobType`); undefined until they choose: the default. */
  #chosen: string | undefined;
  #keys: string[] = [];
  readonly #select: HTMLSelectElement;
  readonly #buttons: HTMLButtonElement[];
  readonly #result: HTMLElement;
  #last: { unit: Unit; now: Date } | undefined;

  constructor(
    private readonly accountId: string,
    private readonly listsLabels: () => Promise<boolean>,
  ) {
    const heading = `spend-${accountId}`;
    this.#buttons = DAYS.map((days) => {
      // "7-day", not "7 d": the page's own range buttons are named "24 h" and "7 d".
      const button = el("button", { type: "button", "data-spend-days": String(days) }, `${days}-day`);
      button.addEventListener("click", () => this.#choose({ days }));
      return button as HTMLButtonElement;
    });
    this.#select = el("select", { "data-spend-group": "" }) as HTMLSelectElement;
    this.#select.addEventListener("change", () => this.#choose({ groupBy: this.#select.value }));
    this.#result = el("div", { class: "spend-result", "aria-live": "polite" });
    this.element = el(
      "section",
      { class: "spend", "aria-labelledby": heading },
      el("h3", { id: heading }, "Spend by label"),
      el(
        "div",
        { class: "spend-controls" },
        el("fieldset", { class: "range", "aria-label": "Spend over the last" }, ...this.#buttons),
        el("label", {}, "Group by ", this.#select),
      ),
      this.#result,
    );
    this.#pressDays();
  }

  /** Reads the report again for the window ending `now`, in `unit` (the account's). Throws what fetch throws. */
  async update(unit: Unit, now: Date): Promise<void> {
    this.#last = { unit, now };
    this.#keys = (await this.listsLabels()) ? await labelKeysOf(this.accountId) : [];
    const groupBy = this.#groupBy();
    this.#fillSelect(groupBy);
    const report = await spendReport(this.accountId, new Date(now.getTime() - this.#days * DAY_MS), groupBy);
    this.#result.replaceChildren(...spendResult(report, report.unit ?? unit, this.#keys.length > 0));
    this.element.dataset.groupBy = groupBy;
    this.element.dataset.days = String(this.#days);
  }

  /** Says the report could not be read (an API without the route, a stack restarting); the card goes on. */
  failed(error: unknown): void {
    const text = `Could not read the spend report (${(error as Error).message}).`;
    this.#result.replaceChildren(el("p", { class: "quiet", "data-spend": "failed" }, text));
  }

  /** The chosen grouping while it still exists, else the first label key seen, else the job type. */
  #groupBy(): string {
    const labels = this.#keys.map((key) => `label:${key}`);
    if (this.#chosen && (this.#chosen === JOB_TYPE || labels.includes(this.#chosen))) return this.#chosen;
    return labels[0] ?? JOB_TYPE;
  }

  /** The select's options, rebuilt only when the keys change (a rebuilt select would lose its state). */
  #fillSelect(groupBy: string): void {
    const values = [...this.#keys.map((key) => `label:${key}`), JOB_TYPE];
    const shown = [...this.#select.options].map((o) => o.value);
    if (shown.join("\n") !== values.join("\n")) {
      this.#select.replaceChildren(
        ...values.map((v) => el("option", { value: v }, v === JOB_TYPE ? "job type" : v.slice(6))),
      );
    }
    this.#select.value = groupBy;
  }

  #choose(change: { days?: Days; groupBy?: string }): void {
    if (change.days) this.#days = change.days;
    if (change.groupBy) this.#chosen = change.groupBy;
    this.#pressDays();
    if (this.#last) void this.update(this.#last.unit, new Date()).catch((error) => this.failed(error));
  }

  #pressDays(): void {
    for (const button of this.#buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.spendDays === String(this.#days)));
    }
  }
}

/** The report as rows of key, bar, amount and count; or a sentence when there is nothing to draw. */
function spendResult(report: SpendReport, unit: Unit, labelled: boolean): HTMLElement[] {
  const rows = [...report.groups];
  if (rows.length === 0) {
    const text =
      report.count === 0
        ? "No spend in this range yet."
        : `No labelled spend yet: ${formatAmount(report.total, unit)} in ${report.count} commits without one.`;
    return [el("p", { class: "quiet", "data-spend": "empty" }, labelled ? text : "No labelled spend yet.")];
  }
  const note = labelled ? null : el("p", { class: "quiet" }, "No labelled spend yet; by job type.");
  if (report.ungrouped) rows.push({ key: "(none)", ...report.ungrouped });
  const largest = Math.max(...rows.map((r) => r.amount));
  const list = el(
    "ol",
    { class: "spend-bars" },
    ...rows.map((r) => {
      const fill = el("span", { class: "spend-fill" });
      // Through the CSSOM: the page's CSP refuses style attributes.
      fill.style.width = `${largest > 0 ? ((r.amount / largest) * 100).toFixed(1) : 0}%`;
      return el(
        "li",
        { "data-key": r.key },
        el("span", { class: "spend-key" }, r.key),
        el("span", { class: "spend-bar", "aria-hidden": "true" }, fill),
        el("span", { class: "spend-amount", "data-field": "amount" }, formatAmount(r.amount, unit)),
        el("span", { class: "spend-count quiet" }, `${r.count} commit${r.count === 1 ? "" : "s"}`),
      );
    }),
  );
  const total = el(
    "p",
    { class: "quiet", "data-field": "spend-total" },
    `Total ${formatAmount(report.total, unit)} in ${report.count} commits`,
  );
  return [note, list, total].filter((part): part is HTMLElement => part !== null);
}
