/** The most items one list (snapshots, alerts, webhook events) returns: one small Query page, far under 1 MB. */
export const MAX_LIST_LIMIT = 1000;
