import type { CopyKind } from '../domain/client-copies.js';
import type { ClientLink, LinkCondition, LinkPut } from './client-store.js';
import type { DynamoDbTable, Item } from './dynamodb-table.js';
import { itemKeys, LINK_KINDS } from './item-keys.js';
import { PARTITION_KEY } from './table-definition.js';

/**
 * Link items: `pk` = SCOPE_LINK or IDENTITY_PROVIDER_LINK, `sk` = `<resource id>#<client id>`,
 * with the client version whose write the link precedes (`client_version`), when it was put
 * (`linked_at`, ms) and by which attempt (`attempt`).
 */
export class DynamoDbLinks {
  constructor(private readonly table: DynamoDbTable) {}

  /**
   * One conditional write per link, all at once. A link never goes back to a lower client
   * version (a writer that read an older client loses its write anyway), unless it is older
   * than `replacesBefore`: then the write that put it is over, or its client was deleted and
   * the id taken again, starting over at version 1.
   */
  async put(
    clientId: string,
    targets: Record<CopyKind, string[]>,
    { clientVersion, attempt, linkedAt, replacesBefore }: LinkPut,
  ): Promise<void> {
    await Promise.all(
      linkKeys(clientId, targets).map(({ kind, targetId }) =>
        this.table.update({
          Key: itemKeys.link(kind, targetId, clientId),
          UpdateExpression: 'SET #client = :client, #version = :version, #at = :at, #attempt = :attempt',
          ConditionExpression: 'attribute_not_exists(#pk) OR #version <= :version OR #at < :replacesBefore',
          ExpressionAttributeNames: {
            '#pk': PARTITION_KEY,
            '#client': 'client_id',
            '#version': 'client_version',
            '#at': 'linked_at',
            '#attempt': 'attempt',
          },
          ExpressionAttributeValues: {
            ':client': clientId,
            ':version': clientVersion,
            ':at': linkedAt,
            ':attempt': attempt,
            ':replacesBefore': replacesBefore,
          },
        }),
      ),
    );
  }

  async linksTo(kind: CopyKind, targetId: string): Promise<ClientLink[]> {
    const items = await this.table.queryAll(LINK_KINDS[kind], `${targetId}#`);
    return items.map((item) => toLink(kind, targetId, item));
  }

  /** Deletes links, each only while `condition` holds for it (unconditionally without one). */
  async delete(links: Pick<ClientLink, 'kind' | 'targetId' | 'clientId'>[], condition?: LinkCondition): Promise<void> {
    const keys = links.map(({ kind, targetId, clientId }) => itemKeys.link(kind, targetId, clientId));
    if (!condition) return this.table.batchDelete(keys);
    await Promise.all(keys.map((key) => this.table.delete(key, linkCondition(condition))));
  }
}

function linkKeys(clientId: string, targets: Record<CopyKind, string[]>) {
  return (Object.entries(targets) as [CopyKind, string[]][]).flatMap(([kind, ids]) =>
    ids.map((targetId) => ({ kind, targetId, clientId })),
  );
}

function linkCondition(condition: LinkCondition) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (condition.maxClientVersion !== undefined) {
    clauses.push('#version <= :version');
    names['#version'] = 'client_version';
    values[':version'] = condition.maxClientVersion;
  }
  if (condition.attempt !== undefined) {
    clauses.push('#attempt = :attempt');
    names['#attempt'] = 'attempt';
    values[':attempt'] = condition.attempt;
  }
  return {
    ConditionExpression: clauses.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function toLink(kind: CopyKind, targetId: string, item: Item): ClientLink {
  return {
    kind,
    targetId,
    clientId: item.client_id as string,
    clientVersion: Number(item.client_version),
    linkedAt: Number(item.linked_at),
    attempt: item.attempt as string,
  };
}
