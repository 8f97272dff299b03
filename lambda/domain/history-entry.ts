import { createHash, createPublicKey } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Client } from './client.js';
import { CLIENT_VIEW_KEYS, clientViewValue } from './client-view.js';
import { attributeSize } from './item-size.js';

/**
 * One entry of a client's change history: who changed the client, when, from where, and each
 * changed field from what to what. Secrets and keys appear only as fingerprints, and an entry
 * never exceeds HISTORY_ENTRY_LIMITS.entryBytes, so that the last N entries fit in the client's
 * own item and are written by the same conditional write as the change they record.
 */

export const HISTORY_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'key_pair_regenerated',
  'did_regenerated',
  'scope_renamed',
  'scope_deleted',
  'identity_provider_renamed',
  /**
   * Only ever a fence (see lambda/app/copy-fan-out.ts): a provider cannot be deleted while a
   * client links it, so its delete changes no client, but it may have to make a write in flight
   * on one start over, which takes a version.
   */
  'identity_provider_deleted',
  'imported',
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** Every field of the client view, and the private key, which the view never shows. */
export const HISTORY_FIELDS = [...CLIENT_VIEW_KEYS, 'private_key'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];

/** Recorded only as fingerprints, whatever their size. */
export const FINGERPRINTED_FIELDS: readonly HistoryField[] = ['secret', 'private_key', 'public_key'];

/**
 * The caps that keep an entry small. DynamoDB refuses items over 400 KB, and the ring keeps N
 * entries (default 50) inside the client's item: 50 entries of at most 2,560 bytes take at most
 * 128.5 KB, which leaves over 270 KB for the client, more than one whose every field is at the
 * API's caps in ASCII takes (about 190 KB, most of it the redirect URIs a 100 KB body can carry).
 * A typical update's entry is 300 to 600 bytes, a create's about 1.8 KB.
 * - valueBytes: a field whose `from` or `to` is larger than this is fingerprinted (a redirect_uris
 *   list of a few URIs fits; a PEM public key of 4096 bits or a long list does not);
 * - valueDepth: a value nested deeper than this is fingerprinted, so that an entry never brings an
 *   item near DynamoDB's 32 levels of nesting (the entry adds 4);
 * - actorTextBytes: an actor's `sub`, `client_id` or issuer longer than this (OpenID Connect's
 *   limit for `sub`) is recorded as its fingerprint;
 * - requestTextBytes: the same for the request id (API Gateway's is a 36-character UUID) and the
 *   source IP (45 characters at most for IPv6);
 * - entryBytes: past it, the largest values are fingerprinted, then, if still needed, the largest
 *   fingerprints of ordinary fields become `{"changed": true}`: what changed is always named.
 */
export const HISTORY_ENTRY_LIMITS = {
  valueBytes: 512,
  valueDepth: 8,
  actorTextBytes: 255,
  requestTextBytes: 64,
  entryBytes: 2560,
} as const;

/** Base64url characters of SHA-256 kept in a fingerprint: 96 bits, no accidental collision. */
const FINGERPRINT_CHARS = 16;
const FINGERPRINT_PREFIX = 'sha256:';

export interface HistoryActor {
  /** The token's `sub`; for `npm run import`, the `--actor` given or the AWS principal's ARN. */
  sub: string | null;
  /** The token's `client_id` (or `azp`) claim: the OAuth client the caller used. */
  client_id: string | null;
  issuer: string | null;
}

/** Who made a write and where from: what an entry records beside the change itself. */
export interface ChangeOrigin {
  actor: HistoryActor;
  requestId: string | null;
  sourceIp: string | null;
}

export type FieldChange =
  | { from: unknown; to: unknown }
  | { changed: true; from_fingerprint: string | null; to_fingerprint: string | null }
  | { changed: true };

export interface HistoryEntry {
  /** The client version the write produced. */
  version: number;
  /** ISO 8601 with milliseconds, UTC. */
  at: string;
  action: HistoryAction;
  actor: HistoryActor;
  /** API Gateway's request id; null for writes outside the API (import). */
  request_id: string | null;
  source_ip: string | null;
  changes: Partial<Record<HistoryField, FieldChange>>;
}

export interface HistoryEntryInput {
  clientId: string;
  action: HistoryAction;
  version: number;
  at: Date;
  actor: HistoryActor;
  requestId?: string | null;
  sourceIp?: string | null;
  /** null for a client that did not exist before the write (create, import of a new client). */
  before: Client | null;
  /** null for a client the write removed (delete). */
  after: Client | null;
  /**
   * What the write sets, when `after` is `before` with it applied: the fields it lacks are the
   * same on both sides, so only its own are compared. Absent, every field is.
   */
  patch?: Readonly<Partial<Client>>;
}

/** The entry of one write: the fields that differ between `before` and `after`, within the caps. */
export function historyEntry(input: HistoryEntryInput): HistoryEntry {
  const { before: clientBefore, after: clientAfter, patch } = input;
  const before: FieldValues = {};
  const after: FieldValues = {};
  const changes: Partial<Record<HistoryField, FieldChange>> = {};
  const compared = patch ? HISTORY_FIELDS.filter((field) => Object.hasOwn(patch, field)) : HISTORY_FIELDS;
  for (const field of compared) {
    // An update leaves most attributes as read: the same value on both sides shows the same.
    if (clientBefore && clientAfter && clientBefore[field] === clientAfter[field]) continue;
    const from = fieldValue(clientBefore, field);
    const to = fieldValue(clientAfter, field);
    if (sameValue(from, to)) continue;
    before[field] = from;
    after[field] = to;
    changes[field] =
      FINGERPRINTED_FIELDS.includes(field) || !fitsInClear(from) || !fitsInClear(to)
        ? fingerprinted(input.clientId, field, from, to)
        : { from, to };
  }
  const entry: HistoryEntry = {
    version: input.version,
    at: input.at.toISOString(),
    action: input.action,
    actor: {
      sub: boundedText(input.actor.sub, HISTORY_ENTRY_LIMITS.actorTextBytes),
      client_id: boundedText(input.actor.client_id, HISTORY_ENTRY_LIMITS.actorTextBytes),
      issuer: boundedText(input.actor.issuer, HISTORY_ENTRY_LIMITS.actorTextBytes),
    },
    request_id: boundedText(input.requestId, HISTORY_ENTRY_LIMITS.requestTextBytes),
    source_ip: boundedText(input.sourceIp, HISTORY_ENTRY_LIMITS.requestTextBytes),
    changes,
  };
  shrinkToLimit(entry, input.clientId, before, after);
  return entry;
}

/** The actor of an API request, from what the token authorizer handed API Gateway. */
export function actorFromAuthorizer(context: Readonly<Record<string, unknown>> | undefined): HistoryActor {
  return { sub: text(context?.sub), client_id: text(context?.client_id), issuer: text(context?.iss) };
}

/** The actor of `npm run import`: the `--actor` given, else the AWS principal that ran it. */
export function importActor(actor: string): HistoryActor {
  return { sub: text(actor), client_id: null, issuer: null };
}

/** A write made outside the API (`npm run import`, seeds): no request id, no source IP. */
export function importOrigin(actor: string): ChangeOrigin {
  return { actor: importActor(actor), requestId: null, sourceIp: null };
}

/** The shape of an entry read back from the store or a stream record. */
export function isHistoryEntry(value: unknown): value is HistoryEntry {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(entry.version) &&
    typeof entry.at === 'string' &&
    (HISTORY_ACTIONS as readonly unknown[]).includes(entry.action) &&
    entry.actor !== null &&
    typeof entry.actor === 'object' &&
    entry.changes !== null &&
    typeof entry.changes === 'object'
  );
}

/** The DynamoDB size of an entry (item-size.ts's estimate), which HISTORY_ENTRY_LIMITS bounds. */
export function historyEntrySize(entry: HistoryEntry): number {
  return attributeSize(entry);
}

/**
 * The fingerprint of a field's value: the beginning of the SHA-256 of `<client id>:<field>:<value>`
 * (strings as they are, other values as JSON with sorted keys), base64url. The client id and the
 * field keep equal values of two clients, or of two fields, from showing equal fingerprints.
 */
export function valueFingerprint(clientId: string, field: HistoryField, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const serialized = typeof value === 'string' ? value : canonicalJson(value);
  return shortDigest(`${clientId}:${field}:${serialized}`);
}

/**
 * The fingerprint of a PEM public key: the beginning of its RFC 7638 JWK thumbprint (SHA-256,
 * base64url), which is what JOSE libraries print for a key and often use as its `kid`. A value
 * that is not a public key node:crypto can read gets a value fingerprint instead.
 */
export function publicKeyFingerprint(clientId: string, publicKeyPem: unknown): string | null {
  if (publicKeyPem === null || publicKeyPem === undefined) return null;
  const thumbprint = typeof publicKeyPem === 'string' ? jwkThumbprint(publicKeyPem) : undefined;
  return thumbprint
    ? `${FINGERPRINT_PREFIX}${thumbprint.slice(0, FINGERPRINT_CHARS)}`
    : valueFingerprint(clientId, 'public_key', publicKeyPem);
}

/** RFC 7638: SHA-256 over the JSON of the key's required members, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

export function jwkThumbprint(publicKeyPem: string): string | undefined {
  let jwk: Record<string, unknown>;
  try {
    jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const members = THUMBPRINT_MEMBERS[jwk.kty as string];
  if (!members) return undefined;
  const required = JSON.stringify(Object.fromEntries(members.map((member) => [member, jwk[member]])));
  return createHash('sha256').update(required).digest('base64url');
}

/** The values, as the view shows them, of the fields an entry records as changed. */
type FieldValues = Partial<Record<HistoryField, unknown>>;

function fieldValue(client: Client | null, field: HistoryField): unknown {
  if (!client) return null;
  return field === 'private_key' ? (client.private_key ?? null) : clientViewValue(client, field);
}

function fingerprinted(clientId: string, field: HistoryField, from: unknown, to: unknown): FieldChange {
  const fingerprint = (value: unknown) =>
    field === 'public_key' ? publicKeyFingerprint(clientId, value) : valueFingerprint(clientId, field, value);
  return { changed: true, from_fingerprint: fingerprint(from), to_fingerprint: fingerprint(to) };
}

/**
 * Equal as the JSON a reader sees. The strict comparison settles unchanged fields cheaply on the
 * hot path; it also tells prototypes apart, so a difference it finds is confirmed on canonical JSON
 * before it becomes a change, and an object with no prototype never shows as a change to itself.
 */
function sameValue(before: unknown, after: unknown): boolean {
  if (isDeepStrictEqual(before, after)) return true;
  return isJsonObject(before) && isJsonObject(after) && canonicalJson(before) === canonicalJson(after);
}

/** An array or a plain object (with or without a prototype): what JSON writes as it is. */
function isJsonObject(value: unknown): boolean {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function fitsInClear(value: unknown): boolean {
  return attributeSize(value) <= HISTORY_ENTRY_LIMITS.valueBytes && depth(value) <= HISTORY_ENTRY_LIMITS.valueDepth;
}

/**
 * Past the entry cap, the largest values in clear become fingerprints, largest first, while
 * that saves bytes; past it still (every field changed, every text at its cap), the largest
 * fingerprints of ordinary fields become `{"changed": true}`. Secrets and keys keep theirs.
 */
function shrinkToLimit(entry: HistoryEntry, clientId: string, before: FieldValues, after: FieldValues): void {
  const fits = () => historyEntrySize(entry) <= HISTORY_ENTRY_LIMITS.entryBytes;
  if (fits()) return;
  const largestFirst = (fields: HistoryField[]) =>
    fields.sort((first, second) => attributeSize(entry.changes[second]) - attributeSize(entry.changes[first]));
  const changed = Object.keys(entry.changes) as HistoryField[];

  for (const field of largestFirst(changed.filter((name) => 'from' in (entry.changes[name] as FieldChange)))) {
    if (fits()) return;
    const replacement = fingerprinted(clientId, field, before[field], after[field]);
    if (attributeSize(replacement) < attributeSize(entry.changes[field])) entry.changes[field] = replacement;
  }
  for (const field of largestFirst(changed.filter((name) => !FINGERPRINTED_FIELDS.includes(name)))) {
    if (fits()) return;
    entry.changes[field] = { changed: true };
  }
}

/** A text of the record's metadata: empty is null, and a long one is kept as its fingerprint. */
function boundedText(value: string | null | undefined, maxBytes: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  return Buffer.byteLength(value) <= maxBytes ? value : shortDigest(value);
}

/** API Gateway passes authorizer context values as strings, numbers or booleans. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

function shortDigest(data: string): string {
  return `${FINGERPRINT_PREFIX}${createHash('sha256').update(data).digest('base64url').slice(0, FINGERPRINT_CHARS)}`;
}

/** JSON with object keys sorted at every level: equal values, equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([first], [second]) => (first < second ? -1 : 1)))
      : item,
  );
}

function depth(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce((deepest: number, child) => Math.max(deepest, depth(child)), 0);
}
