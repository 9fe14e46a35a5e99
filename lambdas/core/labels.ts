/**
 * Labels: `{key: value}` tags a caller puts on a check, a reservation or a budget (which pipeline, campaign or
 * client spends), kept on the hold and on every spend ledger entry so that spend can be reported by them.
 */

/** A label's key: lower case, starting with a letter, at most 40 characters. */
export const LABEL_KEY_PATTERN = /^[a-z][a-z0-9_.-]{0,39}$/;
/** At most this many labels on one request. */
export const MAX_LABELS = 10;
/** A label's value: at most this many characters. */
export const MAX_LABEL_VALUE = 100;

export type Labels = Record<string, string>;

/**
 * A hold's labels: the budget's own labels, then the request's (a request's value wins over its budget's).
 * Undefined when neither has any, so that unlabelled holds store nothing. Raises nothing: both were validated
 * at the edge; a merge past MAX_LABELS keeps the request's first and fills up with the budget's.
 */
export function holdLabels(request: Labels | undefined, budget: Labels | undefined): Labels | undefined {
  const merged: Labels = { ...request };
  for (const [key, value] of Object.entries(budget ?? {})) {
    if (Object.keys(merged).length >= MAX_LABELS) break;
    if (!(key in merged)) merged[key] = value;
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}

/** The `label.<key>=<value>` pairs of a query string (`{campaign: "spring"}`); other parameters are left out. */
export function labelFilterOf(query: Record<string, string | undefined>): Labels {
  const filter: Labels = {};
  for (const [name, value] of Object.entries(query)) {
    if (name.startsWith(LABEL_FILTER_PREFIX) && value !== undefined) {
      filter[name.slice(LABEL_FILTER_PREFIX.length)] = value;
    }
  }
  return filter;
}

/** The prefix of a label filter's query parameter: `label.campaign=spring`. */
export const LABEL_FILTER_PREFIX = "label.";

/** True when `labels` has every key of `filter` with the same value (an empty filter matches all). */
export function matchesLabels(labels: Labels | undefined, filter: Labels): boolean {
  return Object.entries(filter).every(([key, value]) => labels?.[key] === value);
}
