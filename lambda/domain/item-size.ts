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
  // Loops rather than entries and reduce: every update measures its whole client.
  if (Array.isArray(value)) {
    let size = 3;
    for (const item of value) size += 1 + attributeSize(item);
    return size;
  }
  if (typeof value === 'object') return 3 + namedSizes(value, 1);
  return Buffer.byteLength(String(value));
}

export function itemSize(item: object): number {
  return namedSizes(item, 0);
}

/** Each own attribute's name and value, plus `overhead` bytes for each. */
function namedSizes(attributes: object, overhead: number): number {
  let size = 0;
  for (const name of Object.keys(attributes)) {
    size += overhead + Buffer.byteLength(name) + attributeSize((attributes as Record<string, unknown>)[name]);
  }
  return size;
}
