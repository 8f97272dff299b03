import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import type { ClientAuthMethod } from '../lambda/auth/introspection.js';
import type { ClientsApiStackProps, IssuerSettings } from './clients-api-stack.js';
import { SettingsError } from './settings-error.js';

/**
 * The stack's settings from CDK context (`cdk deploy -c key=value`, or cdk.json): strings on
 * the command line, JSON values in cdk.json. Lists are comma-separated on the command line.
 */
export function stackPropsFromContext(node: Node): ClientsApiStackProps {
  const text = (key: string): string | undefined => {
    const value = node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const list = (key: string): string[] | undefined => {
    const value = node.tryGetContext(key);
    if (Array.isArray(value)) return value.map(String);
    const items = (text(key) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : undefined;
  };
  const removalPolicy = text('removalPolicy') ?? 'retain';
  if (removalPolicy !== 'retain' && removalPolicy !== 'destroy') {
    throw new SettingsError(`Context removalPolicy must be retain or destroy, not ${removalPolicy}`);
  }
  const archiveDays = text('eventArchiveRetentionDays');
  if (archiveDays !== undefined && !/^(0|[1-9][0-9]*)$/.test(archiveDays)) {
    throw new Error(`Context eventArchiveRetentionDays must be a whole number of days, not ${archiveDays}`);
  }
  const throttleRate = text('throttleRate');
  const throttleBurst = text('throttleBurst');
  return {
    issuer: issuerFromContext(text, list),
    requiredScope: text('requiredScope'),
    scopePrefix: text('scopePrefix'),
    corsOrigins: list('corsOrigins'),
    protectedClientIds: list('protectedClientIds'),
    removalPolicy: removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    replicaRegions: list('replicaRegions'),
    customerManagedKey: text('customerManagedKey') === 'true',
    replicaKeyArns: Object.fromEntries(
      (list('replicaKeyArns') ?? []).map((pair) => pair.split('=', 2) as [string, string]),
    ),
    throttling:
      throttleRate || throttleBurst
        ? { rateLimit: Number(throttleRate ?? 50), burstLimit: Number(throttleBurst ?? 100) }
        : undefined,
    cognitoDomainPrefix: text('cognitoDomainPrefix'),
    eventArchiveRetentionDays: archiveDays === undefined ? undefined : Number(archiveDays),
    historyCapacity: wholeNumber(text('historyCapacity'), 'historyCapacity'),
    historyRetentionDays: wholeNumber(text('historyRetentionDays'), 'historyRetentionDays'),
  };
}

/** A whole number of the context, which the stack checks against its own bounds. */
function wholeNumber(value: string | undefined, key: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value)) throw new SettingsError(`Context ${key} must be a whole number, not ${value}`);
  return Number(value);
}

function issuerFromContext(
  text: (key: string) => string | undefined,
  list: (key: string) => string[] | undefined,
): IssuerSettings | undefined {
  const userPoolId = text('cognitoUserPoolId');
  const issuerUrl = text('issuerUrl');
  const introspectionUrl = text('introspectionUrl');
  if ([userPoolId, issuerUrl, introspectionUrl].filter(Boolean).length > 1) {
    throw new SettingsError('Give one of cognitoUserPoolId, issuerUrl and introspectionUrl, not several');
  }
  if (introspectionUrl) {
    return {
      introspectionUrl,
      introspectionClientId: text('introspectionClientId') ?? '',
      introspectionSecret: text('introspectionSecret') ?? '',
      introspectionAuthMethod: text('introspectionAuthMethod') as ClientAuthMethod | undefined,
    };
  }
  if (userPoolId) {
    return {
      cognitoUserPoolId: userPoolId,
      cognitoClientIds: list('cognitoClientIds'),
      cognitoResourceServer: text('cognitoResourceServer'),
    };
  }
  if (issuerUrl) {
    if (!issuerUrl.startsWith('https://')) throw new SettingsError('issuerUrl must be an https URL');
    return {
      issuerUrl,
      jwksUri: text('jwksUri'),
      audience: list('audience'),
      acceptAnyAudience: text('acceptAnyAudience') === 'true',
    };
  }
  return undefined;
}
