import type { AuditAction } from "#core/audit";
import { resolveAccount } from "./accounts.ts";
import type { AuditPage, AuditRecord } from "./audit-port.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/**
 * The audit entry of a change by `by`, at the services' clock, to be written in the change's own transaction
 * (the stores take it beside the change), so that a change is never made without its entry or the reverse.
 */
export function auditRecord(
  services: Services,
  entry: {
    accountId: string;
    by: string;
    action: AuditAction;
    target: string;
    before?: unknown;
    after?: unknown;
    /** ISO time; default now (a change that records its own time passes it, so both say the same). */
    at?: string;
  },
): AuditRecord {
  return {
    entry: { ...entry, at: entry.at ?? services.now().toISOString() },
    retentionDays: services.config.retentionDays,
  };
}

/**
 * `GET /v1/accounts/{id}/audit`: every budget change, pause, resume and access denial of the account, newest
 * first. Raises UnknownAccountError, AccessDeniedError, and InvalidRequestError for a cursor not of this log.
 */
export const accountAudit = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    query: { limit: number; cursor?: string | undefined },
    caller: string,
  ): Promise<AuditPage & { accountId: string }> => {
    resolveAccount(services, accountId, "/path/id", caller);
    const page = await services.store.listAudit(accountId, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return { accountId, ...page };
  },
);
