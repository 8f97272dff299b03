import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { commaList } from './environment-list.js';
import {
  CLIENT_AUTH_METHODS,
  type ClientAuthMethod,
  clientSecretOf,
  IntrospectionError,
  introspectionAuthentication,
} from './introspection.js';
import type { Authenticate } from './scope-authorizer.js';

/** Reading the secret at a cold start stays well inside the authorizer's 5 s, beside the introspection. */
export const SECRET_READ_TIMEOUT_MS = 1500;

/**
 * The introspection client's secret, read from Secrets Manager once per container and kept:
 * concurrent first requests share one read, a failed read is tried again by the next request,
 * and `forget` (the endpoint refused the credentials: the secret was rotated) reads it anew.
 */
export function cachedClientSecret(client: SecretsManagerClient, secretId: string) {
  let reading: Promise<string> | undefined;
  const read = async () => {
    let secretString: string | undefined;
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
        abortSignal: AbortSignal.timeout(SECRET_READ_TIMEOUT_MS),
      });
      secretString = output.SecretString;
    } catch (error) {
      throw new IntrospectionError(`the client secret could not be read: ${(error as Error).name}`);
    }
    if (secretString === undefined) throw new IntrospectionError('the client secret is not a string secret');
    return clientSecretOf(secretString);
  };
  return {
    get(): Promise<string> {
      reading ??= read().catch((error: unknown) => {
        reading = undefined;
        throw error;
      });
      return reading;
    },
    forget(): void {
      reading = undefined;
    },
  };
}

/**
 * The introspection authorizer's authentication, from its environment: INTROSPECTION_URL,
 * INTROSPECTION_CLIENT_ID, INTROSPECTION_SECRET_ID (the secret's ARN or name),
 * INTROSPECTION_AUTH_METHOD (`client_secret_basic`, the default, or `client_secret_post`), and
 * the tokens accepted (comma-separated; empty, no check, which the stack allows only when told
 * to): INTROSPECTION_TOKEN_CLIENT_IDS (their `client_id`), INTROSPECTION_AUDIENCE (their `aud`).
 */
export function introspectionFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Authenticate {
  const { INTROSPECTION_URL: url, INTROSPECTION_CLIENT_ID: clientId, INTROSPECTION_SECRET_ID: secretId } = environment;
  if (!url || !clientId || !secretId) {
    throw new Error('Set INTROSPECTION_URL, INTROSPECTION_CLIENT_ID and INTROSPECTION_SECRET_ID');
  }
  const authMethod = (environment.INTROSPECTION_AUTH_METHOD || 'client_secret_basic') as ClientAuthMethod;
  if (!CLIENT_AUTH_METHODS.includes(authMethod)) {
    throw new Error(`INTROSPECTION_AUTH_METHOD must be one of ${CLIENT_AUTH_METHODS.join(', ')}`);
  }
  const secret = cachedClientSecret(client, secretId);
  return introspectionAuthentication({
    url,
    clientId,
    clientSecret: secret.get,
    onCredentialsRejected: secret.forget,
    authMethod,
    acceptedClientIds: commaList(environment.INTROSPECTION_TOKEN_CLIENT_IDS),
    acceptedAudiences: commaList(environment.INTROSPECTION_AUDIENCE),
  });
}
