import { createPublicKey } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VersionedClient } from '../../lambda/domain/client.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
  type RouteOptions,
} from '../../lambda/routes/client-routes.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import {
  ADMIN_ORIGIN,
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  SCOPE_OPENID,
  SEEDED,
  storedClient,
} from '../support/clients.js';
import { ENGINES, useEngine } from '../support/engines.js';
import { apiEvent, type EventOptions, LAMBDA_CONTEXT } from '../support/events.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';

const PROTECTED = '00000000-0000-4000-8000-000000000001';
const IDS = [
  '10000000-0000-4000-8000-000000000001',
  '20000000-0000-4000-8000-000000000002',
  '30000000-0000-4000-8000-000000000003',
];
const NOT_FOUND = {
  code: 'NOT_FOUND',
  message: 'The requested resource could not be found.',
  errors: { resource: ['the requested resource could not be found.'] },
};

describe.each(ENGINES)('client routes on %s', (_, startEngine) => {
  const suite = useEngine(startEngine);
  let store: DynamoDbClientStore;
  let routes: Record<'list' | 'get' | 'create' | 'delete' | 'keys' | 'did', LambdaHandler>;

  beforeEach(async () => {
    store = new DynamoDbClientStore(suite.documents, await newTable(suite.documents));
    const options: RouteOptions = routeOptions(store, { protectedClientIds: [PROTECTED] });
    routes = {
      list: createListClientsHandler(options),
      get: createGetClientHandler(options),
      create: createCreateClientHandler(options),
      delete: createDeleteClientHandler(options),
      keys: createRegenerateKeyPairHandler(options),
      did: createRegenerateDidHandler(options),
    };
    await Promise.all([
      store.putIdentityProvider(IDENTITY_PROVIDER),
      store.putIdentityProvider(OTHER_IDENTITY_PROVIDER),
      store.putScope(SCOPE_OPENID),
      ...[...IDS, PROTECTED].map((id) => store.putClient(storedClient({ id }), SEEDED)),
    ]);
  });

  async function call(route: keyof typeof routes, options: EventOptions) {
    const response = await routes[route](apiEvent(options), LAMBDA_CONTEXT);
    return {
      status: response.statusCode,
      headers: response.headers ?? {},
      body: response.body,
      json: response.body ? JSON.parse(response.body) : undefined,
    };
  }

  describe('GET /api/clients', () => {
    it('lists every client in id order, without private keys', async () => {
      const response = await call('list', { method: 'GET', collection: true });

      expect(response.status).toBe(200);
      expect(Object.keys(response.json)).toEqual(['data']);
      expect(response.json.data.map((client: { id: string }) => client.id)).toEqual([PROTECTED, ...IDS]);
      expect(response.body).not.toContain(storedClient().private_key);
    });

    it('pages with limit and an opaque cursor', async () => {
      const first = await call('list', { method: 'GET', collection: true, query: { limit: '3' } });
      const second = await call('list', {
        method: 'GET',
        collection: true,
        query: { limit: '3', cursor: first.json.next_cursor },
      });

      expect(first.json.data.map((client: { id: string }) => client.id)).toEqual([PROTECTED, ...IDS.slice(0, 2)]);
      expect(first.json.next_cursor).toEqual(expect.any(String));
      expect(second.json).toEqual({ data: [expect.objectContaining({ id: IDS[2] })], next_cursor: null });
    });

    it.each([
      [{ limit: '0' }, { limit: ['must be an integer from 1 to 100'] }],
      [{ limit: 'ten' }, { limit: ['must be an integer from 1 to 100'] }],
      [{ cursor: 'garbage' }, { cursor: ['is invalid'] }],
    ])('answers 400 to %j', async (query, errors) => {
      expect((await call('list', { method: 'GET', collection: true, query })).json).toEqual({
        code: 'BAD_REQUEST',
        message: 'The request is malformed.',
        errors,
      });
    });
  });

  describe('GET /api/clients/{client_id}', () => {
    it('shows a client with its version as ETag', async () => {
      const response = await call('get', { method: 'GET', clientId: IDS[0] });

      expect(response.status).toBe(200);
      expect(response.headers.ETag).toBe('"1"');
      expect(response.json.data).toMatchObject({ id: IDS[0], name: 'Demo client' });
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await call('get', { method: 'GET', clientId: '90000000-0000-4000-8000-000000000009' })).json).toEqual(
        NOT_FOUND,
      );
      expect((await call('get', { method: 'GET', clientId: 'nope' })).status).toBe(400);
    });
  });

  describe('POST /api/clients', () => {
    it('creates a client with the defaults, a secret and a key pair, at its Location', async () => {
      const response = await call('create', {
        method: 'POST',
        collection: true,
        body: {
          client: {
            name: 'New',
            identity_provider: { id: IDENTITY_PROVIDER.id },
            authorized_scopes: [{ name: 'new:scope' }],
          },
        },
      });

      expect(response.status).toBe(201);
      const { data } = response.json;
      // Deployed, the event's requestContext.path carries the stage: the Location must too.
      expect(response.headers).toMatchObject({ Location: `/v1/api/clients/${data.id}`, ETag: '"1"' });
      expect(data).toMatchObject({
        name: 'New',
        secret: expect.stringMatching(/^[A-Za-z0-9]{86}$/),
        public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/),
        key_pair_type: { type: 'rsa', modulus_size: '2048', exponent_size: '65537' },
        access_token_ttl: 86400,
        identity_provider: IDENTITY_PROVIDER,
        authorized_scopes: [{ id: expect.any(String), name: 'new:scope', public: false }],
      });
      expect(response.body).not.toContain('PRIVATE KEY');
      expect((await store.getClient(data.id))?.client.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    });

    it.each([
      ['a custom domain base path', '/admin/api/clients', '/admin/api/clients/'],
      ['a trailing slash', '/v1/api/clients/', '/v1/api/clients/'],
      ['the root of a custom domain', '/api/clients', '/api/clients/'],
    ])('puts the Location below the path the client sent, with %s', async (_, requestPath, prefix) => {
      const response = await call('create', {
        method: 'POST',
        collection: true,
        requestPath,
        body: { client: { identity_provider: { id: IDENTITY_PROVIDER.id } } },
      });

      expect(response.headers.Location).toBe(`${prefix}${response.json.data.id}`);
    });

    it('generates keys for the key type asked: ec, and universal with its did and EdDSA', async () => {
      const ec = await call('create', {
        method: 'POST',
        collection: true,
        body: {
          client: {
            identity_provider: { id: IDENTITY_PROVIDER.id },
            key_pair_type: { type: 'ec', curve: 'P-256' },
            id_token_signature_alg: 'ES256',
          },
        },
      });
      const universal = await call('create', {
        method: 'POST',
        collection: true,
        body: {
          client: {
            identity_provider: { id: IDENTITY_PROVIDER.id },
            key_pair_type: { type: 'universal' },
            signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
            id_token_signature_alg: 'EdDSA',
          },
        },
      });

      expect(createPublicKey(ec.json.data.public_key).asymmetricKeyType).toBe('ec');
      expect(createPublicKey(universal.json.data.public_key).asymmetricKeyType).toBe('ed25519');
      expect(universal.json.data).toMatchObject({
        did: expect.stringMatching(/^did:key:z6Mk/),
        id_token_signature_alg: 'EdDSA',
        userinfo_signed_response_alg: 'EdDSA',
      });
    });

    it('generates keys for the key type even when scopes are created by name', async () => {
      const response = await call('create', {
        method: 'POST',
        collection: true,
        body: {
          client: {
            identity_provider: { id: IDENTITY_PROVIDER.id },
            key_pair_type: { type: 'ec', curve: 'P-384' },
            id_token_signature_alg: 'ES384',
            authorized_scopes: [{ name: 'ec:scope' }],
          },
        },
      });

      expect(response.status).toBe(201);
      expect(createPublicKey(response.json.data.public_key).export({ format: 'jwk' }).crv).toBe('P-384');
    });

    it('honours a free client-chosen id and refuses a taken one', async () => {
      const chosen = '40000000-0000-4000-8000-000000000004';
      const body = { client: { id: chosen.toUpperCase(), identity_provider: { id: IDENTITY_PROVIDER.id } } };

      const created = await call('create', { method: 'POST', collection: true, body });
      const again = await call('create', { method: 'POST', collection: true, body });

      expect(created.json.data.id).toBe(chosen);
      expect(again.status).toBe(422);
      expect(again.json.errors).toEqual({ id: ['has already been taken'] });
    });

    it.each([
      ['blank', '', ''],
      ['whitespace', ' ', '\t'],
      ['null', null, null],
    ])('generates the id and the secret when they are %s, as the admin UI sends them', async (_, id, secret) => {
      const response = await call('create', {
        method: 'POST',
        collection: true,
        body: { client: { id, secret, identity_provider: { id: IDENTITY_PROVIDER.id } } },
      });

      expect(response.status).toBe(201);
      expect(response.json.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(response.json.data.secret).toMatch(/^[A-Za-z0-9]{86}$/);
      expect((await store.getClient(response.json.data.id))?.client.secret).toBe(response.json.data.secret);
    });

    it('ignores the key_pair_id the admin UI sends (no global key pairs here)', async () => {
      const response = await call('create', {
        method: 'POST',
        collection: true,
        body: { client: { key_pair_id: null, identity_provider: { id: IDENTITY_PROVIDER.id } } },
      });
      const withId = await call('create', {
        method: 'POST',
        collection: true,
        body: {
          client: {
            key_pair_id: '60000000-0000-4000-8000-000000000006',
            identity_provider: { id: IDENTITY_PROVIDER.id },
          },
        },
      });

      expect([response.status, withId.status]).toEqual([201, 201]);
      expect(response.json.data).not.toHaveProperty('key_pair_id');
      expect(Object.keys((await store.getClient(withId.json.data.id))?.client ?? {})).not.toContain('key_pair_id');
    });

    it('lets one of several requests for the same id win', async () => {
      const body = {
        client: { id: '50000000-0000-4000-8000-000000000005', identity_provider: { id: IDENTITY_PROVIDER.id } },
      };

      const responses = await Promise.all(
        Array.from({ length: 5 }, () => call('create', { method: 'POST', collection: true, body })),
      );

      expect(responses.map((response) => response.status).sort()).toEqual([201, 422, 422, 422, 422]);
    });

    it.each([
      ['no identity provider', { name: 'x' }, { identity_provider_id: ["can't be blank"] }],
      [
        'an unknown identity provider',
        { identity_provider: { id: '90000000-0000-4000-8000-000000000009' } },
        { identity_provider_id: ['does not exist'] },
      ],
      [
        'invalid fields',
        { identity_provider: { id: IDENTITY_PROVIDER.id }, access_token_ttl: 0 },
        { access_token_ttl: ['is invalid'] },
      ],
      [
        'an id that is not a UUID',
        { id: 'mine', identity_provider: { id: IDENTITY_PROVIDER.id } },
        { id: ['is invalid'] },
      ],
    ])('answers 422 for %s and stores nothing', async (_, client, errors) => {
      const response = await call('create', { method: 'POST', collection: true, body: { client } });

      expect(response.status).toBe(422);
      expect(response.json.errors).toEqual(errors);
      expect((await store.listClients({})).clients).toHaveLength(4);
    });
  });

  describe('DELETE /api/clients/{client_id}', () => {
    it('deletes with 204 and an empty body, then answers 404', async () => {
      const response = await call('delete', { method: 'DELETE', clientId: IDS[0] });

      expect(response.status).toBe(204);
      expect(response.body).toBe('');
      expect(await store.getClient(IDS[0] as string)).toBeUndefined();
      expect((await call('delete', { method: 'DELETE', clientId: IDS[0] })).json).toEqual(NOT_FOUND);
    });

    it('refuses the write-protected client, and answers 404 for a protected id that does not exist', async () => {
      expect((await call('delete', { method: 'DELETE', clientId: PROTECTED.toUpperCase() })).status).toBe(403);
      await store.deleteClient((await store.getClient(PROTECTED)) as VersionedClient, {
        action: 'deleted',
        origin: ADMIN_ORIGIN,
      });
      expect((await call('delete', { method: 'DELETE', clientId: PROTECTED })).status).toBe(404);
    });

    it('honours If-Match', async () => {
      expect(
        (await call('delete', { method: 'DELETE', clientId: IDS[1], headers: { 'If-Match': '"9"' } })).status,
      ).toBe(412);
      expect(
        (await call('delete', { method: 'DELETE', clientId: IDS[1], headers: { 'If-Match': '"1"' } })).status,
      ).toBe(204);
    });
  });

  describe('POST /api/clients/{client_id}/regenerate_key_pair and regenerate_did', () => {
    it('replaces the key pair with one of the stored key type, the private key stored only', async () => {
      const before = (await store.getClient(IDS[0] as string))?.client;

      const response = await call('keys', {
        method: 'POST',
        clientId: IDS[0],
        action: '/regenerate_key_pair',
        rawBody: null,
      });

      expect(response.status).toBe(200);
      expect(response.json.data.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(response.json.data.public_key).not.toBe(before?.public_key);
      expect(response.body).not.toContain('PRIVATE KEY');
      const after = (await store.getClient(IDS[0] as string))?.client;
      expect(createPublicKey(after?.private_key as string).export({ format: 'jwk' })).toEqual(
        createPublicKey(after?.public_key as string).export({ format: 'jwk' }),
      );
    });

    it('gives a universal client an Ed25519 key, its did, the universal adapter and EdDSA', async () => {
      await store.putClient(storedClient({ id: IDS[1], key_pair_type: { type: 'universal' } }), SEEDED);

      const response = await call('keys', {
        method: 'POST',
        clientId: IDS[1],
        action: '/regenerate_key_pair',
        rawBody: null,
      });

      expect(response.json.data).toMatchObject({
        did: expect.stringMatching(/^did:key:z6Mk/),
        signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
        id_token_signature_alg: 'EdDSA',
        userinfo_signed_response_alg: 'EdDSA',
      });
    });

    it('answers 422 when the key type cannot make a key, 403 for the protected client, 404 for none', async () => {
      await store.putClient(storedClient({ id: IDS[2], key_pair_type: { type: 'dsa' } }), SEEDED);

      expect(
        (await call('keys', { method: 'POST', clientId: IDS[2], action: '/regenerate_key_pair', rawBody: null })).json,
      ).toEqual({
        code: 'UNPROCESSABLE_ENTITY',
        message: 'Your request could not be processed.',
        errors: { private_key: ['private_key_type is invalid'] },
      });
      expect(
        (await call('keys', { method: 'POST', clientId: PROTECTED, action: '/regenerate_key_pair', rawBody: null }))
          .status,
      ).toBe(403);
      expect(
        (
          await call('keys', {
            method: 'POST',
            clientId: '90000000-0000-4000-8000-000000000009',
            action: '/regenerate_key_pair',
            rawBody: null,
          })
        ).status,
      ).toBe(404);
    });

    it('derives the did:key of the current public key', async () => {
      await call('keys', { method: 'POST', clientId: IDS[0], action: '/regenerate_key_pair', rawBody: null });

      const response = await call('did', {
        method: 'POST',
        clientId: IDS[0],
        action: '/regenerate_did',
        rawBody: null,
      });

      expect(response.status).toBe(200);
      expect(response.json.data.did).toMatch(/^did:key:z4MX/);
    });

    it('never reads the private key to show, list or derive a did, and keeps it stored', async () => {
      const stored = (await store.getClient(IDS[0] as string))?.client.private_key;

      const shown = await store.getClient(IDS[0] as string, { withoutPrivateKey: true });
      const listed = await store.listClients({});
      const written = await store.writePatch(shown as VersionedClient, { name: 'Renamed' }, SEEDED);

      expect(stored).toBe(storedClient().private_key);
      expect(shown?.client).not.toHaveProperty('private_key');
      expect(shown?.client).toEqual(
        Object.fromEntries(Object.entries(storedClient({ id: IDS[0] })).filter(([key]) => key !== 'private_key')),
      );
      expect(listed.clients.every(({ client }) => !('private_key' in client))).toBe(true);
      expect(written).toEqual({
        status: 'written',
        client: { client: { ...shown?.client, name: 'Renamed' }, version: 2 },
      });
      expect((await store.getClient(IDS[0] as string))?.client.private_key).toBe(stored);
    });

    it("writes no new keys when too little of the function's time is left, and answers 503", async () => {
      const before = await store.getClient(IDS[0] as string);
      const almostOut = { ...LAMBDA_CONTEXT, getRemainingTimeInMillis: () => 1_000 };

      const rekeyed = await routes.keys(
        apiEvent({ method: 'POST', clientId: IDS[0], action: '/regenerate_key_pair', rawBody: null }),
        almostOut,
      );
      const created = await routes.create(
        apiEvent({
          method: 'POST',
          collection: true,
          body: { client: { identity_provider: { id: IDENTITY_PROVIDER.id } } },
        }),
        almostOut,
      );

      expect([rekeyed.statusCode, created.statusCode]).toEqual([503, 503]);
      expect(rekeyed.headers?.['Retry-After']).toBe('1');
      expect(await store.getClient(IDS[0] as string)).toEqual(before);
      expect((await store.listClients({})).clients).toHaveLength(IDS.length + 1);
    });

    it('answers 422 when the public key cannot give a did', async () => {
      const response = await call('did', {
        method: 'POST',
        clientId: IDS[1],
        action: '/regenerate_did',
        rawBody: null,
      });

      expect(response.status).toBe(422);
      expect(response.json.errors).toEqual({ public_key: ['is invalid'] });
    });
  });
});
