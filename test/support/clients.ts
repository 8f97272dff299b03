import type { Client, VersionedClient } from '../../lambda/domain/client.js';
import { clientWithDefaults } from '../../lambda/domain/client-defaults.js';
import { type ChangeOrigin, importOrigin } from '../../lambda/domain/history-entry.js';
import type { ClientStore, RecordedChange } from '../../lambda/store/client-store.js';
import { DEFAULT_HISTORY_CAPACITY, maxRingBytes } from '../../lambda/store/history-ring.js';

export const IDENTITY_PROVIDER = { id: '8f6c2f54-3a6b-4c61-9b36-0c3c0f1c2a10', name: 'Main directory' };
export const OTHER_IDENTITY_PROVIDER = { id: '2b0f7d9e-5c1a-4e8b-8d3f-6a7b9c0d1e2f', name: 'Partners' };
export const SCOPE_OPENID = { id: '0d3c9e1a-7b2f-4c5d-8e6f-9a0b1c2d3e4f', name: 'openid', public: true };
export const SCOPE_PROFILE = { id: '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b', name: 'profile', public: false };
export const CLIENT_ID = '6a2f41a3-c54c-fce8-32d2-0324e1c32e22';

/** What the store keeps free in a client's item for its history, with the default capacity. */
export const HISTORY_BYTES = maxRingBytes(DEFAULT_HISTORY_CAPACITY);

/** What a client put as a test's given state records in its history. */
export const SEEDED: RecordedChange = { action: 'imported', origin: importOrigin('test seed') };

/** The origin of a request the test events (support/events.ts) stand for. */
export const ADMIN_ORIGIN: ChangeOrigin = {
  actor: { sub: 'admin', client_id: 'admin-ui', issuer: 'https://issuer.example.com/' },
  requestId: 'request-1',
  sourceIp: '203.0.113.7',
};

/** A stored client as create leaves it (CONTRACT §5), with stand-in keys to keep unit tests fast. */
export function storedClient(overrides: Partial<Client> = {}): Client {
  return {
    ...clientWithDefaults({
      id: CLIENT_ID,
      identityProvider: IDENTITY_PROVIDER,
      keyPair: { publicKey: 'stand-in public key', privateKey: 'stand-in private key material' },
      secret: 'stored-secret-value',
    }),
    name: 'Demo client',
    redirect_uris: ['https://app.example.com/callback'],
    authorized_scopes: [SCOPE_OPENID],
    ...overrides,
  };
}

/** Every stored client, page after page: the store hands back one DynamoDB page at a time. */
export async function everyClient(store: ClientStore): Promise<VersionedClient[]> {
  const clients: VersionedClient[] = [];
  let afterId: string | undefined;
  do {
    const page = await store.listClients({ afterId });
    clients.push(...page.clients);
    afterId = page.lastId;
  } while (afterId);
  return clients;
}
