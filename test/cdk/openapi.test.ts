import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../bin/local/openapi.js';
import { ClientViewSchema, toClientView } from '../../lambda/domain/client-view.js';
import { HISTORY_ACTIONS, HISTORY_FIELDS, historyEntry } from '../../lambda/domain/history-entry.js';
import { CLIENT_ID, storedClient } from '../support/clients.js';
import { synthesize } from './stack.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** METHOD /path of every method the synthesised REST API defines but the 405s' MOCK `ANY`s. */
function stackRoutes(): string[] {
  const resources = synthesize().toJSON().Resources as Record<string, Resource>;
  const pathOf = (ref: unknown): string => {
    const logicalId = (ref as { Ref?: string }).Ref;
    const resource = logicalId ? resources[logicalId] : undefined;
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties.HttpMethod !== 'ANY')
    .map((method) => `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId)}`)
    .sort();
}

describe('the OpenAPI document', () => {
  const document = openApiDocument();
  let deployed: string[];
  // A hook: the first synth of a worker loads the CDK, which takes long on a busy machine.
  beforeAll(() => {
    deployed = stackRoutes();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes exactly the routes the stack deploys', () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => key !== 'parameters')
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();

    expect(documented).toEqual(deployed);
  });

  it('describes the request fields from the validation schemas, casts included', () => {
    const client = (document.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas
      .UpdateClientRequest?.properties.client as { properties: Record<string, unknown> };

    expect(client.properties.access_token_ttl).toEqual({
      anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[+-]?\\d+$' }],
    });
    expect(client.properties.response_mode).toEqual({
      anyOf: [{ enum: ['post', 'direct_post'], type: 'string' }, { type: 'null' }],
    });
    expect(Object.keys(client.properties)).toHaveLength(30);
  });

  it('describes the client object the functions answer with', () => {
    const schema = (document.components as { schemas: Record<string, { properties: object }> }).schemas.Client;

    expect(Object.keys(schema?.properties ?? {})).toHaveLength(33);
    expect(v.safeParse(ClientViewSchema, toClientView(storedClient())).success).toBe(true);
  });

  it('names the scope or identity provider, not a client, in the 404 and 400 of their routes', () => {
    const paths = document.paths as Record<
      string,
      Record<string, { responses: Record<string, { description: string }> }>
    >;

    expect(paths['/api/scopes/{scope_id}']?.get?.responses['404']?.description).toBe(
      'No scope with that id, or no such route',
    );
    expect(paths['/api/identity-providers/{identity_provider_id}']?.delete?.responses['404']?.description).toBe(
      'No identity provider with that id, or no such route',
    );
    expect(paths['/api/identity-providers/{identity_provider_id}']?.put?.responses['400']?.description).toBe(
      'Malformed request: body not JSON, no `identity_provider` object, a path id that is not a UUID, a bad `If-Match`',
    );
    expect(paths['/api/clients/{client_id}']?.get?.responses['404']?.description).toMatch(/^No client with that id/);
  });

  it('describes the history entry the history route answers with, every action and field', () => {
    const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    const entrySchema = schemas.HistoryEntry as {
      required: string[];
      properties: { action: { enum: string[] }; changes: { propertyNames: { enum: string[] } } };
    };
    const entry = historyEntry({
      clientId: CLIENT_ID,
      action: 'updated',
      version: 2,
      at: new Date(),
      actor: { sub: 'admin', client_id: null, issuer: null },
      before: storedClient(),
      after: storedClient({ name: 'Renamed' }),
    });

    expect(entrySchema.required.sort()).toEqual(Object.keys(entry).sort());
    expect(entrySchema.properties.action.enum).toEqual([...HISTORY_ACTIONS]);
    expect(entrySchema.properties.changes.propertyNames.enum).toEqual([...HISTORY_FIELDS]);
    expect(schemas.HistoryPage).toMatchObject({ required: ['data', 'next_cursor'] });
  });
});
