import { describe, expect, it } from 'vitest';
import { HttpError } from '../../lambda/http/http-error.js';
import { acceptsJson, entityTag, ifMatchPrecondition } from '../../lambda/http/negotiation.js';
import { decodeEvent, jsonBody, uuidPathParameter } from '../../lambda/http/request.js';
import { updateEvent } from '../support/events.js';

const request = (headers: Record<string, string>, body?: string | null) =>
  decodeEvent(updateEvent({ headers, rawBody: body }));

function thrown(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('acceptsJson', () => {
  it.each(['', '*/*', 'application/*', 'application/json', 'text/html, application/json;q=0.5', 'APPLICATION/JSON'])(
    'admits %j',
    (accept) => {
      expect(acceptsJson(request({ Accept: accept }))).toBe(true);
    },
  );

  it.each(['text/html', 'application/xml', 'application/json;q=0', 'text/*'])('refuses %j', (accept) => {
    expect(acceptsJson(request({ Accept: accept }))).toBe(false);
  });
});

describe('ifMatchPrecondition', () => {
  it('is absent without the header', () => {
    expect(ifMatchPrecondition(request({}))).toBeUndefined();
  });

  it('matches any version for *', () => {
    expect(ifMatchPrecondition(request({ 'If-Match': '*' }))?.(7)).toBe(true);
  });

  it('matches the listed strong tags only', () => {
    const precondition = ifMatchPrecondition(request({ 'If-Match': '"3", W/"4", "5"' }));
    expect([3, 4, 5, 6].map((version) => precondition?.(version))).toEqual([true, false, true, false]);
  });

  it('rejects a malformed header with 400', () => {
    const error = thrown(() => ifMatchPrecondition(request({ 'If-Match': '3' })));
    expect(error.toBody()).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { 'If-Match': ['must be * or a list of entity tags'] },
    });
  });

  it('formats versions as strong entity tags', () => {
    expect(entityTag(12)).toBe('"12"');
  });
});

describe('decodeEvent', () => {
  it('reads header names case-insensitively and decodes base64 bodies', () => {
    const decoded = decodeEvent(
      updateEvent({ headers: { 'X-Custom': 'v' }, body: { client: { name: 'é' } }, base64: true }),
    );
    expect(decoded.headers.get('x-custom')).toBe('v');
    expect(jsonBody(decoded)).toEqual({ client: { name: 'é' } });
  });
});

describe('jsonBody', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/merge-patch+json',
    'Application/JSON;charset="UTF-8"',
  ])('accepts Content-Type %j', (contentType) => {
    expect(jsonBody(request({ 'Content-Type': contentType }, '{"client":{}}'))).toEqual({ client: {} });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''])(
    'answers 415 to Content-Type %j',
    (contentType) => {
      expect(thrown(() => jsonBody(request({ 'Content-Type': contentType }, '{}'))).statusCode).toBe(415);
    },
  );

  it('answers 413 above 100 KB and accepts exactly 100 KB', () => {
    const exactly = `{"client":{"name":"${'a'.repeat(100 * 1024 - 22)}"}}`;
    expect(Buffer.byteLength(exactly)).toBe(100 * 1024);
    expect(jsonBody(request({}, exactly))).toMatchObject({ client: {} });
    expect(thrown(() => jsonBody(request({}, `${exactly} `))).statusCode).toBe(413);
  });

  it.each([['not json'], ['{"client":'], [''], [null]])('answers 400 to the body %j', (body) => {
    expect(thrown(() => jsonBody(request({}, body))).toBody()).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { resource: ['request body is not valid JSON'] },
    });
  });

  it.each([
    ['a lone high surrogate in a value', String.raw`{"client":{"name":"\ud800x"}}`],
    ['a lone low surrogate (upper-case escape)', String.raw`{"client":{"name":"x\uDC00"}}`],
    ['a reversed pair', String.raw`{"client":{"name":"\udc00\ud800"}}`],
    ['a lone surrogate in an array item', String.raw`{"client":{"redirect_uris":["https://a.example","\ud83d"]}}`],
    ['a lone surrogate in an object key', String.raw`{"client":{"key_pair_type":{"type":"rsa","\ud800":"1"}}}`],
    [
      'a lone surrogate nested deeper than a recursive walk could go',
      `${'['.repeat(50_000)}"\\udbff"${']'.repeat(50_000)}`,
    ],
  ])('answers 400 to a body with %s, a string DynamoDB cannot store as UTF-8', (_, body) => {
    expect(thrown(() => jsonBody(request({}, body))).toBody()).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is malformed.',
      errors: { resource: ['request body holds a string that is not valid Unicode (a lone surrogate)'] },
    });
  });

  it.each([
    ['an escaped surrogate pair', String.raw`{"client":{"name":"\ud83d\ude00"}}`, '\u{1F600}'],
    ['the same character unescaped', '{"client":{"name":"\u{1F600}"}}', '\u{1F600}'],
    ['an escaped backslash before the letters ud800', String.raw`{"client":{"name":"\\ud800"}}`, '\\ud800'],
  ])('accepts %s', (_, body, name) => {
    expect(jsonBody(request({}, body))).toEqual({ client: { name } });
  });

  it('reads a lone surrogate in a text body as U+FFFD, as its UTF-8 bytes would read', () => {
    const event = updateEvent({ rawBody: '{"client":{"name":"a\ud800b"}}' });
    expect(jsonBody(decodeEvent(event))).toEqual({ client: { name: 'a\ufffdb' } });
  });

  it.each([
    ['text', false],
    ['base64', true],
  ])('ignores a leading byte order mark in a %s body', (_, base64) => {
    const text = '\ufeff{"client":{"name":"a"}}';
    const event = updateEvent({ rawBody: base64 ? Buffer.from(text).toString('base64') : text });
    event.isBase64Encoded = base64;
    expect(jsonBody(decodeEvent(event))).toEqual({ client: { name: 'a' } });
  });

  it('answers 400 to a body that is not UTF-8', () => {
    const event = updateEvent({ rawBody: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64') });
    event.isBase64Encoded = true;
    expect(thrown(() => jsonBody(decodeEvent(event))).statusCode).toBe(400);
  });
});

describe('uuidPathParameter', () => {
  it('returns the id in lower case', () => {
    const decoded = decodeEvent(updateEvent({ clientId: 'ABCDEF01-2345-4789-ABCD-EF0123456789' }));
    expect(uuidPathParameter(decoded, 'client_id')).toBe('abcdef01-2345-4789-abcd-ef0123456789');
  });

  it.each(['not-a-uuid', '6a2f41a3c54cfce832d20324e1c32e22', '6a2f41a3-c54c-fce8-32d2-0324e1c32e2g'])(
    'answers 400 to %j',
    (clientId) => {
      expect(thrown(() => uuidPathParameter(decodeEvent(updateEvent({ clientId })), 'client_id')).toBody()).toEqual({
        code: 'BAD_REQUEST',
        message: 'The request is malformed.',
        errors: { client_id: ['is not a valid UUID'] },
      });
    },
  );
});
