/** The CDK app: `npx cdk synth` / `npx cdk deploy`, settings from CDK context (see docs/deploy.md). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClientsApiStack } from '../lib/clients-api-stack.js';
import { SettingsError } from '../lib/settings-error.js';
import { stackPropsFromContext } from '../lib/stack-context.js';

const app = new App();
try {
  new ClientsApiStack(app, app.node.tryGetContext('stackName') ?? 'ClientsApi', {
    ...stackPropsFromContext(app.node),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  // A setting that cannot work: its message says which and why, a stack trace would not.
  if (!(error instanceof SettingsError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
// Every synth runs the AWS Solutions checks: a finding without a written acknowledgement fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
