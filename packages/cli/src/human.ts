import type {
  AccountDetail,
  AccountSummary,
  Alert,
  AuditPage,
  Budget,
  CheckAnswer,
  Estimate,
  PauseAnswer,
  Reservation,
  ReservationPage,
  Snapshot,
  SpendReport,
} from "@heygen-quota-guard/client";

/** Readable renderings for a terminal (`--human`); the JSON form is the API's answer as it is. */

/** An amount in its unit: usd as dollars and cents, credits as they are. */
export function money(amount: number | null | undefined, unit: string | null | undefined): string {
  if (amount === null || amount === undefined) return "unknown";
  if (unit !== "usd") return `${Number(amount.toFixed(6))} ${unit ?? ""}`.trim();
  return `${amount < 0 ? "-" : ""}$${Math.abs(amount).toFixed(2)}`;
}

/** Columns padded to their widest cell. */
/** `1 commit`, `4 commits`. */
export function commits(count: number): string {
  return `${count} commit${count === 1 ? "" : "s"}`;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function pairs(entries: [string, string | number | undefined | null][]): string {
  const shown = entries.filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== null);
  const width = Math.max(...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v}`).join("\n");
}

export function renderCheck(answer: CheckAnswer): string {
  const verdict =
    answer.decision === "unknown"
      ? `UNKNOWN balance, ${answer.allowed ? "allowed" : "denied"}`
      : answer.allowed
        ? "ALLOWED"
        : "DENIED";
  return [
    `${verdict}: ${answer.reason}`,
    pairs([
      ["account", answer.accountId],
      ["required", money(answer.required, answer.unit)],
      ["available", money(answer.available, answer.unit)],
      ["after", money(answer.remainingAfter, answer.unit)],
      ["shortfall", answer.shortfall ? money(answer.shortfall, answer.unit) : undefined],
      [
        "budget",
        answer.budget
          ? `${answer.budget.id}: ${money(answer.budget.available, answer.unit)} left this ${answer.budget.period}`
          : undefined,
      ],
      ["rate card", answer.estimate?.rateCard],
    ]),
    ...answer.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

export function renderEstimate(estimate: Estimate): string {
  return [
    `${money(estimate.total, estimate.unit)} (rate card ${estimate.rateCard})`,
    table(
      ["job", "billable s", "rate", "count", "cost"],
      estimate.lines.map((l, i) => [
        i + 1,
        l.billableSeconds ?? "",
        l.rate,
        l.count,
        money(l.cost, estimate.unit),
      ]),
    ),
    ...estimate.assumptions.map((a) => `assumption: ${a}`),
    ...estimate.warnings.map((w) => `warning: ${w}`),
  ].join("\n");
}

export function renderReservation(r: Reservation): string {
  return pairs([
    ["reservation", r.id],
    ["status", r.status],
    ["account", r.accountId],
    ["amount", money(r.amount, r.unit)],
    // A hold with partial commits: what is spent already and what still counts against the balance.
    [
      "committed",
      r.status === "held" && r.committedAmount > 0
        ? `${money(r.committedAmount, r.unit)} so far (partial commits)`
        : undefined,
    ],
    ["held", r.status === "held" ? money(r.heldAmount, r.unit) : undefined],
    ["actual", r.actualAmount === undefined ? undefined : money(r.actualAmount, r.unit)],
    ["created", r.createdAt],
    ["expires", r.status === "held" ? r.expiresAt : undefined],
    ["committed at", r.committedAt],
    ["released at", r.releasedAt],
  ]);
}

/** The poller's last failed reading: its code, why (HeyGen's or the network's words), when, and any back-off. */
function lastFailure(f: NonNullable<AccountDetail["lastFailure"]>): string {
  const reason = f.message && f.message !== f.code ? `: ${f.message}` : "";
  return `${f.code}${reason} (at ${f.at}${f.until ? `, no reading before ${f.until}` : ""})`;
}

export function renderBalance(a: AccountDetail): string {
  const forecast = a.forecast;
  return pairs([
    ["account", a.accountId],
    ["level", a.monitorDegraded ? `${a.alertLevel} (monitor degraded)` : a.alertLevel],
    ["available", money(a.available, a.unit)],
    ["remaining", money(a.remaining, a.unit)],
    [
      "reserved",
      `${money(a.reserved, a.unit)} (${a.activeReservations} open hold${a.activeReservations === 1 ? "" : "s"}, and committed jobs not yet charged)`,
    ],
    ["floor", a.reserveFloor ? money(a.reserveFloor, a.unit) : undefined],
    ["observed", a.balanceObservedAt ? `${a.balanceObservedAt} (${a.balanceAgeSeconds} s ago)` : "never"],
    [
      "billing",
      a.latest ? `${a.latest.billingType}${a.latest.plan ? `, plan ${a.latest.plan}` : ""}` : undefined,
    ],
    [
      "burn rate",
      forecast?.burnRatePerHour === null || forecast === null
        ? undefined
        : `${money(forecast.burnRatePerHour, a.unit)} per hour`,
    ],
    ["runs out", forecast?.exhaustsAt ?? undefined],
    ["last failure", a.lastFailure ? lastFailure(a.lastFailure) : undefined],
  ]);
}

export function renderAccounts(accounts: AccountSummary[]): string {
  return table(
    ["account", "level", "available", "remaining", "reserved", "observed"],
    accounts.map((a) => [
      a.accountId,
      a.alertLevel,
      money(a.available, a.unit),
      money(a.remaining, a.unit),
      money(a.reserved, a.unit),
      a.balanceObservedAt ?? "never",
    ]),
  );
}

export function renderHistory(snapshots: Snapshot[]): string {
  if (snapshots.length === 0) return "no readings in this period";
  return table(
    ["observed", "remaining", "billing", "source"],
    snapshots.map((s) => [s.observedAt, money(s.remaining, s.unit), s.billingType, s.source]),
  );
}

export function renderAlerts(alerts: Alert[]): string {
  if (alerts.length === 0) return "no alerts";
  return table(
    ["created", "severity", "type", "level", "status", "subject"],
    alerts.map((a) => [a.createdAt, a.severity, a.alertType, a.level, a.status ?? "", a.subject]),
  );
}

export function renderReservations(page: ReservationPage): string {
  if (page.reservations.length === 0) return "no reservations";
  const rows = page.reservations.map((r) => [
    r.id,
    r.status,
    money(r.amount, r.unit),
    money(r.heldAmount, r.unit),
    r.createdAt,
  ]);
  const more = page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : "";
  return `${table(["reservation", "status", "amount", "held", "created"], rows)}${more}`;
}

export function renderBudgets(budgets: Budget[]): string {
  if (budgets.length === 0) return "no budgets";
  return table(
    ["budget", "period", "limit", "committed", "held", "available", "slots", "paused"],
    budgets.map((b) => [
      b.id,
      `${b.period} (${b.timeZone})`,
      b.limit,
      b.committed,
      b.held,
      b.available,
      b.maxConcurrentHolds === null ? `${b.openHolds}` : `${b.openHolds}/${b.maxConcurrentHolds}`,
      b.paused ? "yes" : "",
    ]),
  );
}

export function renderBudget(b: Budget): string {
  return pairs([
    ["budget", `${b.id} (account ${b.accountId}, ${b.mode})`],
    ["period", `${b.period} in ${b.timeZone}: ${b.periodStart} to ${b.periodEnd ?? "no end"}`],
    ["limit", b.limit],
    ["committed", b.committed],
    ["held", b.held],
    ["available", b.available],
    ["max per job", b.maxPerJob],
    [
      "slots",
      b.maxConcurrentHolds === null ? `${b.openHolds} open` : `${b.openHolds} of ${b.maxConcurrentHolds}`,
    ],
    ["paused", b.paused ? (b.pauseReason ?? "yes") : undefined],
  ]);
}

export function renderPause(p: PauseAnswer): string {
  return p.paused
    ? `PAUSED ${p.accountId} by ${p.paused.by} at ${p.paused.at}: ${p.paused.reason}`
    : `${p.accountId} is not paused`;
}

export function renderAudit(page: AuditPage): string {
  if (page.entries.length === 0) return "no changes recorded";
  const rows = table(
    ["at", "action", "target", "by"],
    page.entries.map((e) => [e.at, e.action, e.target, e.by]),
  );
  return page.nextCursor ? `${rows}\nmore: --cursor ${page.nextCursor}` : rows;
}

/** Share of `total` as a percentage with one decimal ("90.0%"); "–" for an empty total. */
function share(amount: number, total: number): string {
  return total > 0 ? `${((amount / total) * 100).toFixed(1)}%` : "–";
}

/** A spend report as a table: key, amount with unit, count and share of the total; then ungrouped and total. */
export function renderSpend(report: SpendReport): string {
  const head = `${report.accountId}: spend by ${report.groupBy}, ${report.from} → ${report.to}`;
  if (report.count === 0)
    return `${head}
no spend in this period`;
  const rows = report.groups.map((g) => [
    g.key,
    money(g.amount, report.unit),
    g.count,
    share(g.amount, report.total),
  ]);
  const ungrouped = report.ungrouped
    ? `
ungrouped: ${money(report.ungrouped.amount, report.unit)} in ${commits(report.ungrouped.count)} (${share(report.ungrouped.amount, report.total)}, without ${report.groupBy.replace(/^label:/, "the label ")})`
    : "";
  return `${head}
${table(["key", "amount", "count", "share"], rows)}${ungrouped}
total: ${money(report.total, report.unit)} in ${commits(report.count)}`;
}
