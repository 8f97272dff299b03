/**
 * What Boruta's admin UI (malach-it/boruta-server, apps/boruta_admin/assets/src) does with this
 * API's answers and how it builds its bodies, written out from its models so that tests can
 * replay it. Sources: models/scope.model.js, identity-provider.model.js, key-pair.model.js,
 * client.model.js and components/Forms/ClientForm.vue.
 */

/**
 * The keys each model's `assign` table knows: its constructor runs `assign[key].bind(this)`
 * for every key of the data, which throws a TypeError for any other key.
 */
const ASSIGN_TABLES = {
  scope: ['id', 'name', 'label', 'edit', 'public'],
  identityProvider: [
    'id',
    'name',
    'type',
    'backend',
    'backend_id',
    'choose_session',
    'registrable',
    'user_editable',
    'consentable',
    'confirmable',
  ],
  keyPair: ['id', 'public_key', 'is_default'],
} as const;

/** `new Scope(data)`, `new IdentityProvider(data)` or `new KeyPair(data)`, as strict as they are. */
export function constructAsTheAdminUi(model: keyof typeof ASSIGN_TABLES, data: Record<string, unknown>): void {
  for (const key of Object.keys(data)) {
    if (!(ASSIGN_TABLES[model] as readonly string[]).includes(key)) {
      throw new TypeError(`Cannot read properties of undefined (reading 'bind'): ${model} has no ${key}`);
    }
    // `new Backend(null)` runs Object.keys(null).
    if (model === 'identityProvider' && key === 'backend' && data.backend === null) {
      throw new TypeError('Cannot convert undefined or null to object');
    }
  }
}

/** Scope#serialized, under `scope`: undefined keys vanish in JSON. */
export function scopeSaveBody(scope: { id?: string; label?: string | null; name?: string; public?: boolean }) {
  const { id, label, name, public: isPublic } = scope;
  return JSON.parse(JSON.stringify({ scope: { id, label, name, public: isPublic } }));
}

// The grant types ClientForm offers, in the order Client#serialized rebuilds the list.
const ALL_GRANT_TYPES = [
  'client_credentials',
  'agent_credentials',
  'password',
  'authorization_code',
  'agent_code',
  'refresh_token',
  'implicit',
  'preauthorized_code',
  'id_token',
  'vp_token',
  'revoke',
  'introspect',
];

// The defaults `new IdentityProvider(...)` starts from (its `backend` is a `new Backend()`).
const IDENTITY_PROVIDER_DEFAULTS = {
  id: 'non-existing',
  name: null,
  type: 'internal',
  errors: null,
  backend: {
    id: 'non-existing',
    name: null,
    roles: [],
    type: 'Elixir.BorutaIdentity.Accounts.Internal',
    errors: null,
    password_hashing_alg: 'argon2',
    password_hashing_opts: {},
    features: [],
    metadata_fields: [],
    federated_servers: [],
    verifiable_credentials: [],
  },
};

/**
 * The body the client form saves after loading a client with GET (`Client.get`, then
 * `client.save()` with nothing edited): Client#serialized under `client`. With no global key
 * pairs listed, ClientForm's watcher leaves `key_pair_id` null.
 */
export function clientSaveBody(view: Record<string, unknown>) {
  const scopes = view.authorized_scopes as { id: string; name: string; public: boolean }[];
  const grantTypes = view.supported_grant_types as string[];
  const client = {
    access_token_ttl: view.access_token_ttl,
    authorization_code_ttl: view.authorization_code_ttl,
    authorization_request_ttl: view.authorization_request_ttl,
    authorize_scope: view.authorize_scope,
    enforce_dpop: view.enforce_dpop,
    enforce_tx_code: view.enforce_tx_code,
    authorized_scopes: scopes.map(({ id, name, public: isPublic }) => ({
      id,
      label: undefined,
      name,
      public: isPublic,
    })),
    confidential: view.confidential,
    id: view.id,
    id_token_ttl: view.id_token_ttl,
    name: view.name,
    pkce: view.pkce,
    public_refresh_token: view.public_refresh_token,
    public_revoke: view.public_revoke,
    redirect_uris: view.redirect_uris,
    refresh_token_ttl: view.refresh_token_ttl,
    identity_provider: { ...IDENTITY_PROVIDER_DEFAULTS, ...(view.identity_provider as object) },
    secret: view.secret,
    supported_grant_types: ALL_GRANT_TYPES.filter((grantType) => grantTypes.includes(grantType)),
    id_token_signature_alg: view.id_token_signature_alg,
    userinfo_signed_response_alg: view.userinfo_signed_response_alg,
    token_endpoint_jwt_auth_alg: view.token_endpoint_jwt_auth_alg,
    token_endpoint_auth_methods: view.token_endpoint_auth_methods,
    jwt_public_key: view.jwt_public_key,
    key_pair_id: null,
    key_pair_type: view.key_pair_type,
    signatures_adapter: view.signatures_adapter,
    response_mode: view.response_mode,
  };
  return JSON.parse(JSON.stringify({ client }));
}

/** The order the UI sends grant types in, for comparing a client it saved. */
export function inAdminUiOrder(grantTypes: string[]): string[] {
  return ALL_GRANT_TYPES.filter((grantType) => grantTypes.includes(grantType));
}
