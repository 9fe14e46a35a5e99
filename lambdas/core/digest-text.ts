import { formatAmount, truncate } from "./alert-text.ts";
import type { Unit } from "./balance.ts";
import type { DigestFacts } from "./digest.ts";

/** A titled block of lines, as the email and the chat card print their facts (notify/chat-card.ts FactSection). */
export interface TextSection {
  title: string;
  lines: string[];
}

/**
 * A digest's facts as sections of its email and chat card (notify/message.ts adds the balance and the
 * forecast, as for every alert): what was spent, by which label values and budgets, the largest jobs, and what the guard's
 * commits do not explain.
 */
export function digestSections(digest: DigestFacts, unit: Unit): TextSection[] {
  const amount = (value: number, count?: number) =>
    `${formatAmount(value, unit)}${count === undefined ? "" : ` (${count} commit${count === 1 ? "" : "s"})`}`;
  const sections: TextSection[] = [
    {
      title: digest.every === "day" ? `Spend on ${digest.period} (UTC)` : `Spend in ${digest.period} (UTC)`,
      lines: [
        `Committed through the guard: ${amount(digest.spent, digest.commits)}`,
        ...(digest.unexplained !== undefined
          ? [
              `Consumed at HeyGen but not committed through the guard: ${formatAmount(digest.unexplained, unit)}`,
            ]
          : []),
      ],
    },
    {
      title: "Top labels",
      lines: digest.topLabels.map((l) => `${l.label}=${l.value}: ${amount(l.amount, l.count)}`),
    },
    { title: "Budgets", lines: digest.budgets.map((b) => `${b.key}: ${amount(b.amount, b.count)}`) },
    {
      title: "Largest jobs",
      lines: digest.largestJobs.map((job) =>
        [
          `${job.reservationId}: ${amount(job.amount)}`,
          job.jobType,
          ...Object.entries(job.labels ?? {}).map(([k, v]) => `${k}=${v}`),
        ]
          .filter(Boolean)
          .join(", "),
      ),
    },
  ];
  return sections.filter((s) => s.lines.length > 0);
}

/**
 * The digest in one SMS-sized line (at most `max`): `Quota Guard studio 2026-12-03: $10.00 spent; top
 * campaign=spring $9.00`.
 */
export function digestSms(accountId: string, digest: DigestFacts, unit: Unit, max: number): string {
  const top = digest.topLabels[0];
  const unexplained =
    digest.unexplained !== undefined && digest.unexplained > 0
      ? `; ${formatAmount(digest.unexplained, unit)} unexplained`
      : "";
  const text = `Quota Guard ${accountId} ${digest.period}: ${formatAmount(digest.spent, unit)} spent${unexplained}${
    top ? `; top ${top.label}=${top.value} ${formatAmount(top.amount, unit)}` : ""
  }`;
  return truncate(text, max);
}
