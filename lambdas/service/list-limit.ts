/** The most items one list (snapshots, alerts, webhook events) returns: one small Query page, far under 1 MB. */
export const MAX_LIST_LIMIT = 1000;

/** The most reservations one page of `GET /v1/reservations` returns (the store reads at most 20 Query pages for it). */
export const MAX_RESERVATION_PAGE = 100;
