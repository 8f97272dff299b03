import { badRequest } from './http-error.js';
import type { ApiRequest } from './request.js';

/**
 * Whether the `Accept` header admits application/json (RFC 9110 §12.5.1): an absent header
 * does, and so does any range that covers it with a non-zero quality.
 */
export function acceptsJson(request: ApiRequest): boolean {
  const accept = request.headers.get('accept');
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [mediaRange = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    if (quality !== undefined && !(Number(quality.slice(2)) > 0)) return false;
    return mediaRange === '*/*' || mediaRange === 'application/*' || mediaRange === 'application/json';
  });
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

/**
 * The `If-Match` precondition (RFC 9110 §13.1.1) as a test of the stored version, or undefined
 * when the header is absent. Weak tags never match (strong comparison); a malformed header is
 * a 400 so that a typo does not silently become an unconditional write.
 */
export function ifMatchPrecondition(request: ApiRequest): ((version: number) => boolean) | undefined {
  const header = request.headers.get('if-match');
  if (header === undefined) return undefined;
  if (header.trim() === '*') return () => true;
  const strongTags: string[] = [];
  for (const candidate of header.split(',')) {
    const match = ENTITY_TAG.exec(candidate.trim());
    if (!match) throw badRequest({ 'If-Match': ['must be * or a list of entity tags'] });
    if (!match[1]) strongTags.push(match[2] as string);
  }
  return (version) => strongTags.includes(String(version));
}

export function entityTag(version: number): string {
  return `"${version}"`;
}
