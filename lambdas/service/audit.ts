import type { AuditAction } from "#core/audit";
import { resolveAccount } from "./accounts.ts";
import type { AuditPage } from "./audit-port.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/**
 * Records who changed what on an account, after the change was made. A failed write is logged with the
 * whole entry, so that the change is never undone by its record and the entry can still be found.
 */
export async function recordAudit(
  services: Services,
  entry: {
    accountId: string;
    by: string;
    action: AuditAction;
    target: string;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  const full = { ...entry, at: services.now().toISOString() };
  try {
    await services.store.appendAudit(full, services.config.retentionDays);
  } catch (error) {
    services.log.error("audit entry not written; the change stands", {
      entry: full,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * `GET /v1/accounts/{id}/audit`: every budget change, pause and resume of the account, newest first. Raises
 * UnknownAccountError, and InvalidRequestError for a cursor not of this log.
 */
export const accountAudit = useCase(
  async (
    services: Services,
    accountId: string,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<AuditPage & { accountId: string }> => {
    resolveAccount(services, accountId, "/path/id");
    const page = await services.store.listAudit(accountId, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return { accountId, ...page };
  },
);
