import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { basename, join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { introspectionAuthentication } from '../../lambda/auth/introspection.js';
import { type Authenticate, createScopeAuthorizer, jwtAuthentication } from '../../lambda/auth/scope-authorizer.js';
import { verifierWithJwks } from '../../lambda/auth/verifier.js';
import { importOrigin } from '../../lambda/domain/history-entry.js';
import type { LambdaHandler } from '../../lambda/http/api-handler.js';
import { REQUIRED_SCOPE_DEFAULT } from '../../lambda/http/http-error.js';
import { apiScopes, defaultScopePrefix } from '../../lambda/http/route-scopes.js';
import { createGetClientHistoryHandler } from '../../lambda/routes/client-history.js';
import {
  createCreateClientHandler,
  createDeleteClientHandler,
  createGetClientHandler,
  createListClientsHandler,
  createRegenerateDidHandler,
  createRegenerateKeyPairHandler,
} from '../../lambda/routes/client-routes.js';
import {
  createCreateIdentityProviderHandler,
  createDeleteIdentityProviderHandler,
  createGetIdentityProviderHandler,
  createListIdentityProvidersHandler,
  createUpdateIdentityProviderHandler,
} from '../../lambda/routes/identity-provider-routes.js';
import { createListKeyPairsHandler } from '../../lambda/routes/key-pair-routes.js';
import type { ResourceRouteOptions } from '../../lambda/routes/named-resource-routes.js';
import {
  createCreateScopeHandler,
  createDeleteScopeHandler,
  createGetScopeHandler,
  createListScopesHandler,
  createUpdateScopeHandler,
} from '../../lambda/routes/scope-routes.js';
import { createUpdateClientHandler } from '../../lambda/routes/update-client.js';
import { DynamoDbClientStore } from '../../lambda/store/dynamodb-client-store.js';
import { DynamoDbIdentityProviderStore } from '../../lambda/store/dynamodb-identity-provider-store.js';
import { DynamoDbScopeStore } from '../../lambda/store/dynamodb-scope-store.js';
import {
  API_FUNCTIONS,
  API_ROUTES,
  type ApiHandlerName,
  type FunctionSpec,
  STAGE_THROTTLE,
} from '../../lib/api-routes.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { createLocalGateway } from './api-gateway.js';
import { type ClientEventPoller, startClientEventPoller } from './client-event-poller.js';
import { eventsFile, printedEvents } from './client-event-sinks.js';
import { createDevIntrospectionEndpoint, DEV_INTROSPECTION_PATH } from './dev-introspection.js';
import { DEV_ISSUER, DEV_TOKEN_SCOPE, loadDevIssuer, mintToken } from './dev-issuer.js';
import { documentClientFor, type Engine, ensureTable, startDynalite, startDynamoDbLocal } from './dynamodb-engines.js';
import type { LocalServerOptions } from './options.js';
import { publicDocuments } from './public-documents.js';
import { readSeedFile, type Seed, writeSeed } from './seed.js';

export const DEMO_SEED_FILE = join(PROJECT_ROOT, 'bin', 'local', 'demo-seed.json');

export interface LocalServer {
  url: string;
  /** A bearer token of the dev issuer with scopes for every route (DEV_TOKEN_SCOPE), valid one hour. */
  token: string;
  /** A curl command that updates a seeded client, ready to paste. */
  curlExample: string | undefined;
  /**
   * On DynamoDB Local, starts emitting Client Changed events (printed, or appended to the events
   * file) and says where they go; on other engines, which have no stream to read, does nothing.
   * Separate from the start, so that the first line printed is the URL.
   */
  emitEvents(): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * The API as deployed, on this machine: the same authorizer and function code behind an
 * emulated API Gateway, on an embedded DynamoDB (or a given endpoint) whose table is created
 * from the stack's definition and, when new, filled from the seed. Beside the API, the dev
 * issuer's introspection endpoint, which the authorizer asks about opaque tokens.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const seed = await readSeedFile(options.seedFile ?? DEMO_SEED_FILE);
  const issuer = await loadDevIssuer();
  const engine = options.endpoint ? undefined : await startEngine(options);
  let documents: DynamoDBDocumentClient | undefined;
  let server: Server | undefined;
  let poller: ClientEventPoller | undefined;
  const close = async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    // Events of the last writes are read before the engine goes.
    await poller?.stop();
    documents?.destroy();
    await engine?.stop();
  };
  try {
    documents = documentClientFor(options.endpoint ?? (engine as Engine).endpoint, { local: !options.endpoint });
    const store = new DynamoDbClientStore(documents, options.table, options.history);
    const stores = {
      clients: store,
      scopes: new DynamoDbScopeStore(documents, options.table),
      identityProviders: new DynamoDbIdentityProviderStore(documents, options.table),
    };
    if ((await ensureTable(documents, options.table)) === 'created') {
      await writeSeed(stores, seed, importOrigin(`npm start (${basename(options.seedFile ?? DEMO_SEED_FILE)})`));
    }

    const requiredScope = REQUIRED_SCOPE_DEFAULT;
    const scopePrefix = defaultScopePrefix(requiredScope);
    const protectedClientIds = [...seed.protectedClientIds, ...options.protectedClientIds];
    const { corsOrigins } = options;
    const routeOptions = {
      store,
      logger: new Logger({ serviceName: 'clients-api' }),
      requiredScope,
      protectedClientIds,
      corsOrigins,
    };
    const resourceOptions: ResourceRouteOptions = { ...routeOptions, ...stores, scopePrefix };
    const handlers: Record<ApiHandlerName, LambdaHandler> = {
      'list-clients': createListClientsHandler(routeOptions),
      'get-client': createGetClientHandler(routeOptions),
      'create-client': createCreateClientHandler(routeOptions),
      'update-client': createUpdateClientHandler(routeOptions),
      'delete-client': createDeleteClientHandler(routeOptions),
      'regenerate-key-pair': createRegenerateKeyPairHandler(routeOptions),
      'regenerate-did': createRegenerateDidHandler(routeOptions),
      'get-client-history': createGetClientHistoryHandler(routeOptions),
      'list-scopes': createListScopesHandler(resourceOptions),
      'get-scope': createGetScopeHandler(resourceOptions),
      'create-scope': createCreateScopeHandler(resourceOptions),
      'update-scope': createUpdateScopeHandler(resourceOptions),
      'delete-scope': createDeleteScopeHandler(resourceOptions),
      'list-identity-providers': createListIdentityProvidersHandler(resourceOptions),
      'get-identity-provider': createGetIdentityProviderHandler(resourceOptions),
      'create-identity-provider': createCreateIdentityProviderHandler(resourceOptions),
      'update-identity-provider': createUpdateIdentityProviderHandler(resourceOptions),
      'delete-identity-provider': createDeleteIdentityProviderHandler(resourceOptions),
      'list-key-pairs': createListKeyPairsHandler(resourceOptions),
    };
    // The dev introspection endpoint's only client: the authorizer below, as a deployed
    // authorizer is a client of its introspection server. Its URL is known once listening.
    const introspectionClient = { clientId: 'local-authorizer', clientSecret: randomBytes(24).toString('base64url') };
    const introspectionEndpoint = createDevIntrospectionEndpoint({ issuer, ...introspectionClient });
    let introspect: Authenticate | undefined;
    const authorizer = createScopeAuthorizer({
      authenticate: devAuthentication(
        jwtAuthentication(verifierWithJwks({ issuer: DEV_ISSUER, jwks: issuer.jwks })),
        (token) => (introspect as Authenticate)(token),
      ),
      acceptedScopes: apiScopes({ requiredScope, scopePrefix }),
      // As deployed, a refused token is logged with its reason (never the token).
      logger: new Logger({ serviceName: 'clients-api-authorizer' }),
    });
    const gateway = createLocalGateway({
      requiredScope,
      corsOrigins,
      authorizer,
      stageThrottle: options.throttle ? STAGE_THROTTLE : undefined,
      publicDocuments: publicDocuments(),
      routes: API_ROUTES.map((route) => {
        const settings: FunctionSpec = API_FUNCTIONS[route.handler];
        return {
          method: route.method,
          resource: route.path,
          handler: handlers[route.handler],
          functionName: route.handler,
          memorySize: settings.memorySize,
          timeoutSeconds: settings.timeoutSeconds,
          throttle: settings.throttle,
        };
      }),
    });
    // The dev issuer's path is not the API's: deployed, the issuer is another server.
    server = createServer((request, response) =>
      (request.url ?? '').split('?')[0] === DEV_INTROSPECTION_PATH
        ? introspectionEndpoint(request, response)
        : gateway(request, response),
    );
    await listen(server, options.port, options.host);
    const { port } = server.address() as { port: number };
    const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    introspect = introspectionAuthentication({
      url: `${url}${DEV_INTROSPECTION_PATH}`,
      clientId: introspectionClient.clientId,
      clientSecret: async () => introspectionClient.clientSecret,
    });
    const token = mintToken(issuer, { scope: DEV_TOKEN_SCOPE });
    const emitEvents = async () => {
      if (options.engine !== 'dynamodb-local' || !engine || poller) return undefined;
      poller = await startClientEventPoller({
        endpoint: engine.endpoint,
        tableName: options.table,
        sink: options.eventsFile ? eventsFile(options.eventsFile) : printedEvents(),
      });
      return options.eventsFile
        ? `Client Changed events: appended to ${options.eventsFile}, one JSON line each.`
        : 'Client Changed events: printed below, one JSON line each.';
    };
    return { url, token, curlExample: curlExample(url, token, seed, protectedClientIds), emitEvents, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Locally both kinds of token work at once: a JWT (three dot-separated parts) is verified
 * against the dev issuer's keys, anything else goes to the dev introspection endpoint. Deployed,
 * a stack has one kind: JWTs (Cognito, OIDC issuers) or opaque tokens (-c introspectionUrl).
 */
function devAuthentication(jwt: Authenticate, opaque: Authenticate): Authenticate {
  return (token) => (token.split('.').length === 3 ? jwt(token) : opaque(token));
}

function startEngine(options: LocalServerOptions): Promise<Engine> {
  return options.engine === 'dynamodb-local' ? startDynamoDbLocal() : startDynalite(options.dataDir);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use`) : error);
    });
    server.listen(port, host, () => resolve());
  });
}

function curlExample(url: string, token: string, seed: Seed, protectedClientIds: string[]): string | undefined {
  const editable = seed.clients.find((client) => !protectedClientIds.includes(client.id));
  if (!editable) return undefined;
  const { name } = editable.request.fields;
  const body = JSON.stringify({
    client: { name: `${typeof name === 'string' ? name : 'Client'} (renamed)`, access_token_ttl: 1800 },
  });
  return [
    `curl -sS -X PATCH '${url}/api/clients/${editable.id}'`,
    `-H 'Authorization: Bearer ${token}'`,
    `-H 'Content-Type: application/json'`,
    `-d '${body.replaceAll("'", "'\\''")}'`,
  ].join(' ');
}
