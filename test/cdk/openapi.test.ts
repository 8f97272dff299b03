import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../bin/local/openapi.js';
import { ClientViewSchema, toClientView } from '../../lambda/domain/client-view.js';
import { storedClient } from '../support/clients.js';
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
});
