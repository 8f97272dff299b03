/** DynamoDB refuses items larger than 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An upper estimate of the size DynamoDB counts for an attribute value (names and values in
 * UTF-8, up to 21 bytes a number, 1 byte a boolean or null, 3 bytes and 1 byte an element of
 * overhead for lists and maps), so that the API can answer 422 before DynamoDB refuses a write.
 */
export function attributeSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 21;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return 3 + value.reduce((total: number, item) => total + 1 + attributeSize(item), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce(
        (total, [name, item]) => total + 1 + Buffer.byteLength(name) + attributeSize(item),
        0,
      )
    );
  }
  return Buffer.byteLength(String(value));
}

export function itemSize(item: object): number {
  return Object.entries(item).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name) + attributeSize(value),
    0,
  );
}
