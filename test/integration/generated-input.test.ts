import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFor, type Engine, startDynalite } from '../../bin/local/dynamodb-engines.js';
import type { VersionedClient } from '../../lambda/domain/client.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import {
  IDENTITY_PROVIDER,
  OTHER_IDENTITY_PROVIDER,
  SCOPE_OPENID,
  SCOPE_PROFILE,
  storedClient,
} from '../support/clients.js';
import { LAMBDA_CONTEXT, updateEvent } from '../support/events.js';
import { updateBody } from '../support/generated-bodies.js';
import { routeOptions } from '../support/routes.js';
import { newTable } from '../support/tables.js';
import { expectedAfterAcceptedUpdate } from '../support/update-model.js';

// 1,000 batches of 10 concurrent requests: 10,000 generated bodies a run (PROPERTY_BATCHES to change).
const BATCHES = Number(process.env.PROPERTY_BATCHES ?? 1000);
const CONCURRENCY = 10;
const WORLD = {
  identityProviderIds: [IDENTITY_PROVIDER.id, OTHER_IDENTITY_PROVIDER.id],
  scopeIds: [SCOPE_OPENID.id, SCOPE_PROFILE.id],
  scopeNames: [SCOPE_OPENID.name, SCOPE_PROFILE.name],
};

/** Failing cases fast-check found and shrank, replayed first on every run. */
const REGRESSIONS: string[][] = [];

describe('generated update bodies on a real engine', () => {
  let engine: Engine;
  let store: DynamoDbClientStore;
  let handler: LambdaHandler;
  const clientIds = Array.from(
    { length: CONCURRENCY },
    (_, index) => `70000000-0000-4000-8000-0000000000${String(index).padStart(2, '0')}`,
  );
  const current = new Map<string, VersionedClient>();
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    engine = await startDynalite();
    const documents = documentClientFor(engine.endpoint);
    store = new DynamoDbClientStore(documents, await newTable(documents));
    handler = createUpdateClientHandler(routeOptions(store));
    await Promise.all([
      store.putIdentityProvider(IDENTITY_PROVIDER),
      store.putIdentityProvider(OTHER_IDENTITY_PROVIDER),
      store.putScope(SCOPE_OPENID),
      store.putScope(SCOPE_PROFILE),
    ]);
    for (const id of clientIds) current.set(id, await store.putClient(storedClient({ id })));
  });
  afterAll(async () => {
    await engine?.stop();
  });

  /** One request, and what it must have done to the stored client. */
  async function checkOne(clientId: string, body: string): Promise<void> {
    const before = current.get(clientId) as VersionedClient;
    const response = await handler(updateEvent({ clientId, rawBody: body }), LAMBDA_CONTEXT);
    const after = (await store.getClient(clientId)) as VersionedClient;
    current.set(clientId, after);
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode !== 200) {
      expect(after, `${response.statusCode} ${response.body}`).toEqual(before);
      return;
    }
    const fields = (JSON.parse(body) as { client: Record<string, unknown> }).client;
    const names = ((fields.authorized_scopes as { name?: unknown }[] | null | undefined) ?? [])
      .map((item) => item?.name)
      .filter((name): name is string => typeof name === 'string' && name.length > 0);
    const { lookups } = await store.readForUpdate(clientId, {
      identityProviderIds: WORLD.identityProviderIds,
      scopeIds: WORLD.scopeIds,
      scopeNames: names,
    });
    const expected = expectedAfterAcceptedUpdate(before.client, fields, {
      identityProviders: new Map(lookups.identityProviders),
      scopesById: new Map(lookups.scopesById),
      scopesByName: new Map(lookups.scopesByName),
    });
    expect(after.client).toEqual(expected.client);
    expect(after.version).toBe(before.version + (expected.wrote ? 1 : 0));
    const { data } = JSON.parse(response.body);
    expect(Object.keys(data)).toHaveLength(33);
    for (const [key, value] of Object.entries(data)) {
      if (key === 'identity_provider' || key === 'authorized_scopes') continue;
      expect(value, key).toEqual(after.client[key as keyof typeof after.client] ?? null);
    }
    expect(data.authorized_scopes).toEqual(after.client.authorized_scopes);
    expect(response.body).not.toContain(after.client.private_key);
  }

  it(`never answers 5xx, changes nothing on 4xx and stores what the model predicts on 200 (${BATCHES * CONCURRENCY} bodies)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(updateBody(WORLD), { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
        async (bodies) => {
          await Promise.all(bodies.map((body, index) => checkOne(clientIds[index] as string, body)));
        },
      ),
      { numRuns: BATCHES, examples: REGRESSIONS.map((bodies) => [bodies]) },
    );
    // The generator must keep mixing accepted and refused bodies, or the property proves little.
    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    expect((statuses.get(200) ?? 0) / total).toBeGreaterThan(0.2);
    expect((statuses.get(422) ?? 0) / total).toBeGreaterThan(0.2);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
