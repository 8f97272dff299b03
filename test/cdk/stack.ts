import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClientsApiStack, type ClientsApiStackProps } from '../../lib/clients-api-stack.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

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
