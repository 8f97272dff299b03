import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSaveBody, constructAsTheAdminUi, inAdminUiOrder, scopeSaveBody } from '../support/admin-ui.js';
import { devToken, type RunningServer, startServer } from './local-server.js';

const DEMO_CLIENT = '6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22';
const MAIN_DIRECTORY = '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10';
const PARTNERS = '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f';
const ADMIN_SCOPES = 'clients:manage:all scopes:manage:all identity-providers:manage:all';

/**
 * The admin UI's requests, built as its models build them and sent to the URLs it sends them to,
 * against `npm start`. Its models put a slash after list and create URLs (`/api/scopes/`), which
 * API Gateway, and so the emulated gateway, routes to the resource without it.
 */
describe("Boruta's admin UI against npm start", () => {
  let server: RunningServer;
  let admin: string;
  let clientsOnly: string;

  beforeAll(async () => {
    [server, admin, clientsOnly] = await Promise.all([
      startServer(),
      devToken(['--scope', ADMIN_SCOPES]),
      devToken(['--scope', 'clients:manage:all']),
    ]);
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe('stopped cleanly');
  });

  async function call(
    path: string,
    { method = 'GET', token = admin, body }: { method?: string; token?: string; body?: unknown } = {},
  ) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json, text/plain, */*',
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  }

  describe('the pickers of the client form, with the token that edits clients', () => {
    it('fills the scope picker: every item builds a Scope, with exactly its four keys', async () => {
      const { status, json } = await call('/api/scopes/', { token: clientsOnly });

      expect(status).toBe(200);
      expect(json.data.map((scope: { name: string }) => scope.name)).toEqual([
        'email',
        'openid',
        'orders:read',
        'profile',
      ]);
      for (const scope of json.data) {
        expect(Object.keys(scope)).toEqual(['id', 'name', 'label', 'public']);
        expect(() => constructAsTheAdminUi('scope', scope)).not.toThrow();
      }
    });

    it('fills the identity provider picker: every item builds an IdentityProvider, id and name only', async () => {
      const { status, json } = await call('/api/identity-providers/', { token: clientsOnly });

      expect(status).toBe(200);
      expect(json.data).toEqual([
        { id: MAIN_DIRECTORY, name: 'Main directory' },
        { id: PARTNERS, name: 'Partners' },
      ]);
      for (const provider of json.data) expect(() => constructAsTheAdminUi('identityProvider', provider)).not.toThrow();
    });

    it('fills the key pair select with nothing: only "Custom key pair" remains', async () => {
      expect(await call('/api/key-pairs/', { token: clientsOnly })).toMatchObject({ status: 200, json: { data: [] } });
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
      'answers %s /api/key-pairs with 405: key pairs are only listed',
      async (method) => {
        for (const path of ['/api/key-pairs', '/api/key-pairs/']) {
          const response = await call(path, { method, body: method === 'DELETE' ? undefined : { key_pair: {} } });

          expect(response.status).toBe(405);
          expect(response.headers.get('allow')).toBe('GET');
          expect(response.json).toEqual({
            code: 'METHOD_NOT_ALLOWED',
            message: 'The method is not allowed for this resource.',
          });
        }
      },
    );

    it('cannot write a scope with that token, cached by the gateway as allowed for /api/clients', async () => {
      expect((await call('/api/clients/', { token: clientsOnly })).status).toBe(200);

      const refused = await call('/api/scopes/', {
        method: 'POST',
        token: clientsOnly,
        body: scopeSaveBody({ name: 'x' }),
      });

      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="scopes:manage:all"',
      );
      expect((await call('/api/scopes/', { token: clientsOnly })).json.data).toHaveLength(4);
    });
  });

  describe('saving a client loaded with GET, nothing edited', () => {
    const kinds: [string, Record<string, unknown>][] = [
      [
        'rsa, with scopes and redirect URIs',
        { redirect_uris: ['https://app.example.com/cb'], authorized_scopes: [{ name: 'openid' }] },
      ],
      ['ec', { key_pair_type: { type: 'ec', curve: 'P-256' }, id_token_signature_alg: 'ES256' }],
      [
        'universal',
        {
          key_pair_type: { type: 'universal' },
          signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
          id_token_signature_alg: 'EdDSA',
        },
      ],
      [
        'confidential with every flag and a userinfo algorithm',
        {
          confidential: true,
          pkce: true,
          public_refresh_token: true,
          public_revoke: true,
          authorize_scope: true,
          enforce_dpop: true,
          enforce_tx_code: true,
          userinfo_signed_response_alg: 'RS256',
          token_endpoint_jwt_auth_alg: 'RS256',
          jwt_public_key: '-----BEGIN PUBLIC KEY-----',
          supported_grant_types: ['refresh_token', 'client_credentials'],
        },
      ],
    ];

    it.each([['the demo client', undefined] as [string, Record<string, unknown> | undefined], ...kinds])(
      'answers 200 with nothing changed, and a new version only when the grant types change order: %s',
      async (_, fields) => {
        const id = fields
          ? (
              await call('/api/clients/', {
                method: 'POST',
                body: { client: { name: 'Made for the UI', identity_provider: { id: PARTNERS }, ...fields } },
              })
            ).json.data.id
          : DEMO_CLIENT;
        const before = await call(`/api/clients/${id}`);

        const saved = await call(`/api/clients/${id}`, { method: 'PATCH', body: clientSaveBody(before.json.data) });

        expect(saved.status).toBe(200);
        const expected = {
          ...before.json.data,
          supported_grant_types: inAdminUiOrder(before.json.data.supported_grant_types),
        };
        expect(saved.json.data).toEqual(expected);
        expect((await call(`/api/clients/${id}`)).json.data).toEqual(expected);
        // The UI sends the grant types in its own order: the only change a save can make. A save
        // that changes nothing writes nothing, and the version stays.
        const reordered = !isDeepStrictEqual(expected.supported_grant_types, before.json.data.supported_grant_types);
        expect(Number(JSON.parse(saved.headers.get('etag') as string))).toBe(
          Number(JSON.parse(before.headers.get('etag') as string)) + (reordered ? 1 : 0),
        );
      },
    );

    it("shows a deleted client's 404 as errors.resource", async () => {
      const created = await call('/api/clients/', {
        method: 'POST',
        body: { client: { identity_provider: { id: PARTNERS } } },
      });
      const { data } = created.json;
      expect((await call(`/api/clients/${data.id}`, { method: 'DELETE' })).status).toBe(204);

      const saved = await call(`/api/clients/${data.id}`, { method: 'PATCH', body: clientSaveBody(data) });

      expect(saved.status).toBe(404);
      expect(saved.json.errors.resource[0]).toBe('the requested resource could not be found.');
    });

    it('creates a client from the "leave blank to autogenerate" fields', async () => {
      const created = await call('/api/clients/', {
        method: 'POST',
        body: { client: { id: '', secret: '', name: 'Blank id and secret', identity_provider: { id: PARTNERS } } },
      });

      expect(created.status).toBe(201);
      expect(created.json.data.secret).toMatch(/^[A-Za-z0-9]{86}$/);
    });
  });

  describe('the scopes page', () => {
    it('adds a scope as a new row sends it, edits, cancels and deletes it', async () => {
      // A new row: `new Scope({ edit: true })`, a name typed, the public box never touched.
      const created = await call('/api/scopes/', { method: 'POST', body: scopeSaveBody({ name: 'invoices:read' }) });
      expect(created.status).toBe(201);
      expect(created.json.data).toEqual({
        id: created.json.data.id,
        name: 'invoices:read',
        label: null,
        public: false,
      });
      expect(created.headers.get('location')).toBe(`/api/scopes/${created.json.data.id}`);
      expect(() => constructAsTheAdminUi('scope', created.json.data)).not.toThrow();

      const edited = { ...created.json.data, label: 'Invoices', public: true };
      const saved = await call(`/api/scopes/${edited.id}`, { method: 'PATCH', body: scopeSaveBody(edited) });
      expect(saved.json.data).toEqual(edited);
      expect((await call(`/api/scopes/${edited.id}`)).json.data).toEqual(edited);

      expect((await call(`/api/scopes/${edited.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await call('/api/scopes/')).json.data.map((scope: { name: string }) => scope.name)).not.toContain(
        'invoices:read',
      );
    });

    it('shows errors.name[0] under the name input', async () => {
      const refused = await call('/api/scopes/', { method: 'POST', body: scopeSaveBody({ name: '' }) });

      expect(refused.status).toBe(422);
      expect(refused.json.errors.name[0]).toBe("can't be blank");
    });

    it('renames a scope: the client that has it shows the new name at once, with a new ETag', async () => {
      const before = await call(`/api/clients/${DEMO_CLIENT}`);
      const scopes = (await call('/api/scopes/')).json.data as { id: string; name: string }[];
      const orders = scopes.find((scope) => scope.name === 'orders:read') as { id: string };

      const renamed = await call(`/api/scopes/${orders.id}`, {
        method: 'PATCH',
        body: scopeSaveBody({ ...orders, name: 'orders:list' }),
      });

      expect(renamed.status).toBe(200);
      const after = await call(`/api/clients/${DEMO_CLIENT}`);
      expect(after.json.data.authorized_scopes.map((scope: { name: string }) => scope.name)).toContain('orders:list');
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    });

    it("refuses to edit the API's own scopes", async () => {
      const created = await call('/api/scopes/', {
        method: 'POST',
        body: scopeSaveBody({ name: 'clients:manage:all' }),
      });

      const edited = await call(`/api/scopes/${created.json.data.id}`, {
        method: 'PATCH',
        body: scopeSaveBody({ ...created.json.data, label: 'x' }),
      });

      expect(edited.json).toEqual({
        code: 'FORBIDDEN',
        message: 'The resource is write protected.',
        errors: { resource: ['is write protected.'] },
      });
    });
  });

  describe('the identity providers page', () => {
    it('shows why a provider that a client links cannot be deleted', async () => {
      const provider = await call('/api/identity-providers/', {
        method: 'POST',
        body: { identity_provider: { name: 'Contractors' } },
      });
      const client = await call('/api/clients/', {
        method: 'POST',
        body: { client: { identity_provider: { id: provider.json.data.id } } },
      });

      const refused = await call(`/api/identity-providers/${provider.json.data.id}`, { method: 'DELETE' });

      expect(refused.json).toEqual({
        code: 'UNPROCESSABLE_ENTITY',
        message: 'Your request could not be processed.',
        errors: {
          client_identity_providers: [`identity provider is associated with client(s) ${client.json.data.id}`],
        },
      });
    });

    it("refuses to delete the admin UI client's own provider", async () => {
      const refused = await call(`/api/identity-providers/${MAIN_DIRECTORY}`, { method: 'DELETE' });

      expect(refused.status).toBe(403);
      expect(refused.json.errors).toEqual({ resource: ['is write protected.'] });
    });
  });
});
