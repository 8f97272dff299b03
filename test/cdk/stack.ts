import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClientsApiStack, type ClientsApiStackProps } from '../../lib/clients-api-stack.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { MOCK_REQUEST_CONTENT_TYPES } from '../../lib/mock-requests.js';

/** The feature flags of cdk.json, which `cdk synth` and `cdk deploy` apply. */
export const FEATURE_FLAGS: Record<string, unknown> = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/**
 * Synthesises the stack as `cdk synth` does, cdk.json's feature flags and cdk-nag included (a
 * finding throws), but without bundling the functions, which only one test needs.
 */
export function synthesize(
  props: ClientsApiStackProps = {},
  context: Record<string, unknown> = {},
  extend: (stack: ClientsApiStack) => void = () => {},
): Template {
  const app = new App({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ClientsApiStack(app, 'ClientsApi', {
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  extend(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return Template.fromStack(stack);
}

/** The function whose description matches, with its logical id and properties. */
export function functionNamed(template: Template, description: RegExp) {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp(description.source) },
  });
  const [entry] = Object.entries(functions);
  if (!entry) throw new Error(`no function described ${description}`);
  return { logicalId: entry[0], properties: entry[1].Properties };
}

/** The logical id of the REST API resource at `path` (`/api/clients/{client_id}`). */
export function resourceIdOf(template: Template, path: string): string {
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const pathOf = (logicalId: string): string => {
    const resource = resources[logicalId];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf((resource.Properties.ParentId as { Ref?: string }).Ref ?? '')}/${resource.Properties.PathPart}`;
  };
  const found = Object.keys(resources).find((logicalId) => pathOf(logicalId) === path);
  if (!found) throw new Error(`no resource at ${path}`);
  return found;
}

/** The MOCK methods' request templates: the same one for every type they map. */
export function everyMappedType(template: unknown) {
  return Object.fromEntries(MOCK_REQUEST_CONTENT_TYPES.map((type) => [type, template]));
}
