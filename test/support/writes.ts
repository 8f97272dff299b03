import type { HistoryEntry } from '../../lambda/domain/history-entry.js';

interface Expressions {
  ProjectionExpression?: string;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * What an UpdateItem asks of DynamoDB, whatever its placeholders: the attributes it sets, with
 * their values, and those it removes. Handler tests assert these, not expression strings.
 */
export function decodedUpdate(input: Expressions): { set: Record<string, unknown>; remove: string[] } {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const clauses = /^(?:SET (?<set>.*?))?\s*(?:REMOVE (?<remove>.*))?$/.exec(input.UpdateExpression ?? '')?.groups ?? {};
  const set = Object.fromEntries(
    (clauses.set ? clauses.set.split(', ') : []).map((assignment) => {
      const [name, value] = assignment.split(' = ') as [string, string];
      return [names[name] ?? name, value in values ? values[value] : value];
    }),
  );
  const remove = (clauses.remove ? clauses.remove.split(', ') : []).map((name) => names[name] ?? name);
  return { set, remove };
}

/** A condition with its names and values in place: `version = 3 AND attribute_not_exists(deleted_at)`. */
export function decodedCondition(input: Expressions): string {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  return (input.ConditionExpression ?? '').replace(/[#:]\w+/g, (placeholder) =>
    placeholder.startsWith('#') ? (names[placeholder] ?? placeholder) : JSON.stringify(values[placeholder]),
  );
}

/** The attributes a read asks for, whatever its placeholders; undefined for whole items. */
export function decodedProjection(input: Expressions): string[] | undefined {
  const names = input.ExpressionAttributeNames ?? {};
  return input.ProjectionExpression?.split(', ').map((name) => names[name] ?? name);
}

/** The history entry an UpdateItem records, in whichever slot. */
export function recordedEntry(input: Expressions): HistoryEntry | undefined {
  const { set } = decodedUpdate(input);
  const slot = Object.keys(set).find((attribute) => attribute.startsWith('history_'));
  return slot ? (set[slot] as HistoryEntry) : undefined;
}
