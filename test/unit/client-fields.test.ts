import { describe, expect, it } from 'vitest';
import { GRANT_TYPES, TTL_MAXIMUMS } from '../../lambda/domain/client.js';
import { HISTORY_BYTES, storedClient } from '../support/clients.js';
import { errorsOf, patchOf } from '../support/plan.js';

const GRANT_TYPES_MESSAGE =
  'must be part of client_credentials, password, authorization_code, agent_code, refresh_token, implicit, revoke, introspect, id_token, vp_token, preauthorized_code, agent_credentials';

describe('partial merge', () => {
  it('changes only the keys present in the request', () => {
    expect(patchOf({ name: 'Renamed' })).toEqual({ name: 'Renamed' });
  });

  it('ignores unknown keys and the keys that only other routes change', () => {
    expect(
      patchOf({ unknown: 1, id: 'other', did: 'did:key:z', public_key: 'pem', private_key: 'pem', pkce: true }),
    ).toEqual({ pkce: true });
  });

  it('reports every failing field in one answer', () => {
    expect(errorsOf({ name: 5, pkce: 'yes', access_token_ttl: 0, response_mode: 'query' })).toEqual({
      name: ['is invalid'],
      pkce: ['is invalid'],
      access_token_ttl: ['is invalid'],
      response_mode: ['is invalid'],
    });
  });
});

describe('redirect_uris', () => {
  it.each([
    [['https://app.example.com/cb']],
    [['http://localhost:8080/cb?x=1']],
    [['myapp://cb']],
    [['com.example.app://oauth/cb', 'javascripts://cb.example.com', 'datasync://cb']],
    [['https://user@[::1]:8443/cb']],
    [[]],
  ])('accepts %j', (uris) => {
    expect(patchOf({ redirect_uris: uris })).toEqual({ redirect_uris: uris });
  });

  it('reports each bad element, in input order, naming it', () => {
    expect(
      errorsOf({
        redirect_uris: ['no-scheme', 'https://ok.example.com', 'https://x.example.com/cb#frag', 'myapp:/cb', 'http://'],
      }),
    ).toEqual({
      redirect_uris: [
        '`no-scheme` is invalid',
        '`https://x.example.com/cb#frag` is invalid',
        '`myapp:/cb` is invalid',
        '`http://` is invalid',
      ],
    });
  });

  it.each([
    ['an empty fragment', 'https://a.example.com/cb#'],
    ['whitespace', 'https://exa mple.com/cb'],
    ['a non-numeric port', 'https://a.example.com:http/cb'],
    ['a bad scheme', '1http://a.example.com/cb'],
    ['the javascript scheme, even with a host', 'javascript://a.example.com/%0Aalert(document.domain)'],
    ['the javascript scheme in capitals', 'JavaScript://a.example.com/x'],
    ['the data scheme', 'data://a.example.com/text/html;base64,PHNjcmlwdD4='],
    ['the vbscript scheme', 'vbscript://a.example.com/msgbox'],
    ['the file scheme', 'file://server.example.com/etc/passwd'],
  ])('rejects a URI with %s', (_, uri) => {
    expect(errorsOf({ redirect_uris: [uri] })).toEqual({ redirect_uris: [`\`${uri}\` is invalid`] });
  });

  it('reports a repeated bad URI once', () => {
    expect(errorsOf({ redirect_uris: ['bad', 'bad'] })).toEqual({ redirect_uris: ['`bad` is invalid'] });
  });

  it('drops empty and whitespace elements', () => {
    expect(patchOf({ redirect_uris: ['', 'https://a.example.com', '  '] })).toEqual({
      redirect_uris: ['https://a.example.com'],
    });
  });

  it.each([
    ['a string', 'https://a.example.com', 'is invalid'],
    ['an array holding a number', ['https://a.example.com', 1], 'is invalid'],
    ['null', null, "can't be blank"],
    ['an empty string', '', "can't be blank"],
  ])('rejects %s', (_, value, message) => {
    expect(errorsOf({ redirect_uris: value })).toEqual({ redirect_uris: [message] });
  });
});

describe.each(Object.entries(TTL_MAXIMUMS))('%s', (field, max) => {
  it(`accepts 1 and ${max}`, () => {
    expect(patchOf({ [field]: 1 })).toEqual({ [field]: 1 });
    expect(patchOf({ [field]: max })).toEqual({ [field]: max });
  });

  it('casts an integer string', () => {
    expect(patchOf({ [field]: '120' })).toEqual({ [field]: 120 });
  });

  it.each([0, -1, max + 1, 1.5, '1.5', 'abc', ' 120', true, [], {}])('rejects %j as invalid', (value) => {
    expect(errorsOf({ [field]: value })).toEqual({ [field]: ['is invalid'] });
  });

  it.each([null, '', '   '])('rejects %j as blank', (value) => {
    expect(errorsOf({ [field]: value })).toEqual({ [field]: ["can't be blank"] });
  });
});

it('lets access_token_ttl go above 300 on update (upstream caps it there by mistake)', () => {
  expect(patchOf({ access_token_ttl: 301 })).toEqual({ access_token_ttl: 301 });
});

it('checks authorization_request_ttl on update (upstream skips the check)', () => {
  expect(errorsOf({ authorization_request_ttl: 301 })).toEqual({ authorization_request_ttl: ['is invalid'] });
});

describe('supported_grant_types', () => {
  it('accepts every known grant type and the empty list', () => {
    expect(patchOf({ supported_grant_types: [...GRANT_TYPES] })).toEqual({ supported_grant_types: [...GRANT_TYPES] });
    expect(patchOf({ supported_grant_types: [] })).toEqual({ supported_grant_types: [] });
  });

  it('drops empty and whitespace entries', () => {
    expect(patchOf({ supported_grant_types: ['', 'password', ' '], trusted_hosts: [' ', 'a.example.com'] })).toEqual({
      supported_grant_types: ['password'],
      trusted_hosts: ['a.example.com'],
    });
  });

  it('answers one message for any unknown entry', () => {
    expect(errorsOf({ supported_grant_types: ['password', 'magic', 'other'] })).toEqual({
      supported_grant_types: [GRANT_TYPES_MESSAGE],
    });
  });

  it('accepts null, as upstream does', () => {
    expect(patchOf({ supported_grant_types: null })).toEqual({ supported_grant_types: null });
  });

  it('rejects a non-string entry as invalid, with no further check', () => {
    expect(errorsOf({ supported_grant_types: ['password', 7] })).toEqual({ supported_grant_types: ['is invalid'] });
  });
});

describe('token_endpoint_auth_methods', () => {
  it('accepts a subset of the four methods and the empty list', () => {
    const all = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'];
    expect(patchOf({ token_endpoint_auth_methods: all })).toEqual({ token_endpoint_auth_methods: all });
    expect(patchOf({ token_endpoint_auth_methods: [] })).toEqual({ token_endpoint_auth_methods: [] });
  });

  it.each([
    [['client_secret_basic', 'tls_client_auth'], 'has an invalid entry'],
    [null, "can't be blank"],
    ['client_secret_basic', 'is invalid'],
  ])('rejects %j', (value, message) => {
    expect(errorsOf({ token_endpoint_auth_methods: value })).toEqual({ token_endpoint_auth_methods: [message] });
  });
});

describe('token_endpoint_jwt_auth_alg', () => {
  it.each(['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512'])('accepts %s', (alg) => {
    expect(patchOf({ token_endpoint_jwt_auth_alg: alg })).toEqual({ token_endpoint_jwt_auth_alg: alg });
  });

  it.each([
    ['ES256', 'is invalid'],
    ['hs256', 'is invalid'],
    [256, 'is invalid'],
    [null, "can't be blank"],
  ])('rejects %j', (value, message) => {
    expect(errorsOf({ token_endpoint_jwt_auth_alg: value })).toEqual({ token_endpoint_jwt_auth_alg: [message] });
  });
});

describe('response_mode', () => {
  it.each(['post', 'direct_post'])('accepts %s', (mode) => {
    expect(patchOf({ response_mode: mode })).toEqual({ response_mode: mode });
  });

  it.each(['query', 'fragment', 1])('rejects %j', (mode) => {
    expect(errorsOf({ response_mode: mode })).toEqual({ response_mode: ['is invalid'] });
  });
});

describe('empty strings', () => {
  it.each([
    ['response_mode', 'direct_post'],
    ['id_token_signature_alg', 'RS512'],
    ['token_endpoint_jwt_auth_alg', 'HS256'],
    ['signatures_adapter', 'Elixir.Boruta.Internal.Signatures'],
    ['trusted_authorities', ''],
    ['name', null],
    ['secret', null],
    ['public_client_id', null],
    ['jwt_public_key', null],
    ['userinfo_signed_response_alg', null],
  ])('turn %s into its default %j, whitespace included', (field, fallback) => {
    expect(patchOf({ [field]: '' })).toEqual({ [field]: fallback });
    expect(patchOf({ [field]: ' \t\n' })).toEqual({ [field]: fallback });
  });

  it('keep a non-blank string as sent, surrounding spaces included', () => {
    expect(patchOf({ name: ' spaced ' })).toEqual({ name: ' spaced ' });
  });
});

describe.each(['name', 'secret', 'public_client_id', 'jwt_public_key'])('%s', (field) => {
  it('accepts any string and null', () => {
    expect(patchOf({ [field]: 'some value' })).toEqual({ [field]: 'some value' });
    expect(patchOf({ [field]: null })).toEqual({ [field]: null });
  });

  it.each([42, true, ['a'], { a: 1 }])('rejects %j as invalid', (value) => {
    expect(errorsOf({ [field]: value })).toEqual({ [field]: ['is invalid'] });
  });
});

describe('trusted_authorities and trusted_hosts', () => {
  it('accept a string and a string array, empty ones included', () => {
    expect(patchOf({ trusted_authorities: 'https://ca.example.com', trusted_hosts: ['a.example.com'] })).toEqual({
      trusted_authorities: 'https://ca.example.com',
      trusted_hosts: ['a.example.com'],
    });
    expect(patchOf({ trusted_authorities: '', trusted_hosts: [] })).toEqual({
      trusted_authorities: '',
      trusted_hosts: [],
    });
  });

  it("reject null with can't be nil", () => {
    expect(errorsOf({ trusted_authorities: null, trusted_hosts: null })).toEqual({
      trusted_authorities: ["can't be nil"],
      trusted_hosts: ["can't be nil"],
    });
  });

  it('reject other types as invalid', () => {
    expect(errorsOf({ trusted_authorities: ['x'], trusted_hosts: 'x' })).toEqual({
      trusted_authorities: ['is invalid'],
      trusted_hosts: ['is invalid'],
    });
  });
});

describe.each([
  'confidential',
  'check_public_client_id',
  'public_refresh_token',
  'public_revoke',
  'authorize_scope',
  'enforce_dpop',
  'enforce_tx_code',
  'pkce',
])('%s', (field) => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
  ])('casts %j to %j', (value, cast) => {
    expect(patchOf({ [field]: value })).toEqual({ [field]: cast });
  });

  it.each(['yes', 'TRUE', 1, 0, [], {}])('rejects %j as invalid', (value) => {
    expect(errorsOf({ [field]: value })).toEqual({ [field]: ['is invalid'] });
  });

  it.each([null, ''])('rejects %j as blank', (value) => {
    expect(errorsOf({ [field]: value })).toEqual({ [field]: ["can't be blank"] });
  });
});

describe('key_pair_type', () => {
  it.each([[{ type: 'rsa', modulus_size: '4096', exponent_size: '65537' }], [{ type: 'rsa', modulus_size: '2048' }]])(
    'accepts %j',
    (keyPairType) => {
      expect(patchOf({ key_pair_type: keyPairType })).toEqual({ key_pair_type: keyPairType });
    },
  );

  it.each(['P-256', 'P-384', 'P-521'])('accepts an ec key on %s with ES and HS algorithms', (curve) => {
    const change = { key_pair_type: { type: 'ec', curve }, id_token_signature_alg: 'ES256' };
    expect(patchOf(change)).toEqual(change);
  });

  it('keeps extra keys that are short flat strings, up to 12 properties of at most 255 characters', () => {
    const extras = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`note_${index}`, 'v'.repeat(255)]));
    const keyPairType = { type: 'rsa', modulus_size: '2048', exponent_size: '65537', ...extras };

    expect(patchOf({ key_pair_type: keyPairType })).toEqual({ key_pair_type: keyPairType });
  });

  it.each([
    [
      'ec, as the admin UI sends it after switching from rsa',
      { type: 'ec', modulus_size: '2048', exponent_size: '65537', curve: 'P-256' },
      'ES256',
    ],
    [
      'universal, with the rsa keys the admin UI leaves',
      { type: 'universal', modulus_size: '1024', exponent_size: '65537' },
      'EdDSA',
    ],
  ])('accepts %s', (_, keyPairType, alg) => {
    const change = {
      key_pair_type: keyPairType,
      id_token_signature_alg: alg,
      ...(keyPairType.type === 'universal' && { signatures_adapter: 'Elixir.Boruta.Universal.Signatures' }),
    };
    expect(patchOf(change)).toEqual(change);
  });

  it.each([
    ['a string', 'rsa', { key_pair_type: ['is invalid'] }],
    ['an array', [{ type: 'rsa' }], { key_pair_type: ['is invalid'] }],
    ['null', null, { key_pair_type: ["can't be blank"] }],
    [
      'an object without type',
      { modulus_size: '2048' },
      {
        key_pair_type: ['validation failed: Required property type is missing at #.'],
        signatures_adapter: ['unknown key pair type'],
      },
    ],
    [
      'an unknown type',
      { type: 'dsa' },
      {
        key_pair_type: ['validation failed: #/type do match required pattern /^ec|rsa|universal$/.'],
        signatures_adapter: ['unknown key pair type'],
      },
    ],
    [
      'a type that only matches upstream loose pattern',
      { type: 'rsa-ish' },
      {
        key_pair_type: ['validation failed: #/type do match required pattern /^ec|rsa|universal$/.'],
        signatures_adapter: ['unknown key pair type'],
      },
    ],
    [
      'a non-string type',
      { type: 1 },
      {
        key_pair_type: ['validation failed: The type at #/type `integer` do not match the required types ["string"].'],
        signatures_adapter: ['unknown key pair type'],
      },
    ],
    [
      'non-string sizes and curve',
      { type: 'rsa', modulus_size: 2048, exponent_size: 1.5, curve: null },
      {
        key_pair_type: [
          'validation failed: The type at #/modulus_size `integer` do not match the required types ["string"].',
          'validation failed: The type at #/exponent_size `number` do not match the required types ["string"].',
          'validation failed: The type at #/curve `null` do not match the required types ["string"].',
        ],
      },
    ],
    [
      'a curve that is not one',
      { type: 'ec', curve: 'P-512' },
      {
        key_pair_type: ['validation failed: #/curve do match required pattern /^P-256|P-384|P-521$/.'],
        id_token_signature_alg: ['is invalid'],
      },
    ],
    ['rsa without modulus_size', { type: 'rsa' }, { key_pair_type: ['rsa modulus_size is required'] }],
    [
      'rsa below 2048 bits',
      { type: 'rsa', modulus_size: '1024' },
      { key_pair_type: ['rsa modulus_size must be at least 2048'] },
    ],
    [
      'rsa above 4096 bits',
      { type: 'rsa', modulus_size: '4097' },
      { key_pair_type: ['rsa modulus_size must be at most 4096'] },
    ],
    [
      'rsa of 8192 bits',
      { type: 'rsa', modulus_size: '8192', exponent_size: '65537' },
      { key_pair_type: ['rsa modulus_size must be at most 4096'] },
    ],
    [
      'an rsa exponent other than 65537',
      { type: 'rsa', modulus_size: '2048', exponent_size: '3' },
      { key_pair_type: ['is invalid'] },
    ],
    [
      'an exponent other than 65537 on any key type',
      { type: 'ec', curve: 'P-256', exponent_size: '65536' },
      { key_pair_type: ['is invalid'], id_token_signature_alg: ['is invalid'] },
    ],
    [
      'rsa too small with a bad exponent, both said',
      { type: 'rsa', modulus_size: '1024', exponent_size: '17' },
      { key_pair_type: ['rsa modulus_size must be at least 2048', 'is invalid'] },
    ],
    [
      'more than 12 properties',
      {
        type: 'rsa',
        modulus_size: '2048',
        ...Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`k${index}`, 'v'])),
      },
      { key_pair_type: ['validation failed: Expected a maximum of 12 properties but got 13 at #.'] },
    ],
    [
      'an empty property name',
      { type: 'rsa', modulus_size: '2048', '': '1' },
      {
        key_pair_type: [
          'validation failed: Property names at # do match required pattern /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.',
        ],
      },
    ],
    [
      'property names that are too long or not a name',
      { type: 'rsa', modulus_size: '2048', ['n'.repeat(65)]: 'v', 'has space': 'v', _private: 'v' },
      {
        key_pair_type: [
          'validation failed: Property names at # do match required pattern /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.',
        ],
      },
    ],
    [
      'a value of 256 characters',
      { type: 'rsa', modulus_size: '2048', note: 'n'.repeat(256) },
      { key_pair_type: ['validation failed: Expected value to have a maximum length of 255 but was 256 at #/note.'] },
    ],
    [
      'a known key of 256 characters',
      { type: 'ec', curve: 'P-256', modulus_size: '2'.repeat(256) },
      {
        key_pair_type: [
          'validation failed: Expected value to have a maximum length of 255 but was 256 at #/modulus_size.',
        ],
        id_token_signature_alg: ['is invalid'],
      },
    ],
    [
      'extra values that are not strings',
      {
        type: 'rsa',
        modulus_size: '2048',
        big: Number.MAX_SAFE_INTEGER + 2,
        huge: 1e300,
        n: { a: 'b' },
        list: ['a'],
        flag: true,
        none: null,
      },
      {
        key_pair_type: [
          'validation failed: The type at #/big `integer` do not match the required types ["string"].',
          'validation failed: The type at #/huge `integer` do not match the required types ["string"].',
          'validation failed: The type at #/n `object` do not match the required types ["string"].',
          'validation failed: The type at #/list `array` do not match the required types ["string"].',
          'validation failed: The type at #/flag `boolean` do not match the required types ["string"].',
          'validation failed: The type at #/none `null` do not match the required types ["string"].',
        ],
      },
    ],
    [
      'a non-integer rsa modulus_size',
      { type: 'rsa', modulus_size: 'big' },
      { key_pair_type: ['rsa modulus_size must be an integer'] },
    ],
    [
      'ec without a curve',
      { type: 'ec' },
      { key_pair_type: ['ec curve is required'], id_token_signature_alg: ['is invalid'] },
    ],
  ])('rejects %s', (_, keyPairType, errors) => {
    expect(errorsOf({ key_pair_type: keyPairType })).toEqual(errors);
  });
});

describe('signature consistency', () => {
  const ecClient = () =>
    storedClient({ key_pair_type: { type: 'ec', curve: 'P-256' }, id_token_signature_alg: 'ES256' });
  const universalClient = () =>
    storedClient({
      key_pair_type: { type: 'universal' },
      signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
      id_token_signature_alg: 'EdDSA',
    });

  it.each([
    ['rsa', storedClient, ['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512'], ['ES256', 'ES384', 'ES512', 'EdDSA']],
    ['ec', ecClient, ['ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'], ['RS256', 'RS384', 'RS512', 'EdDSA']],
    ['universal', universalClient, ['EdDSA'], ['RS256', 'ES256', 'HS256']],
  ])('on an %s key allows %j and refuses %j for both algorithms', (_, client, allowed, refused) => {
    for (const alg of allowed) {
      expect(patchOf({ id_token_signature_alg: alg, userinfo_signed_response_alg: alg }, client())).toEqual({
        id_token_signature_alg: alg,
        userinfo_signed_response_alg: alg,
      });
    }
    for (const alg of refused) {
      expect(errorsOf({ id_token_signature_alg: alg, userinfo_signed_response_alg: alg }, client())).toEqual({
        id_token_signature_alg: ['is invalid'],
        userinfo_signed_response_alg: ['is invalid'],
      });
    }
  });

  it('refuses an algorithm outside the list', () => {
    expect(errorsOf({ id_token_signature_alg: 'PS256' })).toEqual({ id_token_signature_alg: ['is invalid'] });
  });

  it('accepts a null userinfo_signed_response_alg: responses are then unsigned', () => {
    expect(patchOf({ userinfo_signed_response_alg: null })).toEqual({ userinfo_signed_response_alg: null });
  });

  it('checks the stored algorithms when only the key type changes', () => {
    expect(errorsOf({ key_pair_type: { type: 'ec', curve: 'P-256' } })).toEqual({
      id_token_signature_alg: ['is invalid'],
    });
  });

  it('checks the stored key type when only an algorithm changes', () => {
    expect(errorsOf({ userinfo_signed_response_alg: 'ES256' })).toEqual({
      userinfo_signed_response_alg: ['is invalid'],
    });
  });

  it('accepts a key type change that brings matching algorithms along', () => {
    const change = { key_pair_type: { type: 'ec', curve: 'P-384' }, id_token_signature_alg: 'ES384' };
    expect(patchOf(change)).toEqual(change);
  });

  it('requires the universal adapter and EdDSA with a universal key', () => {
    expect(errorsOf({ key_pair_type: { type: 'universal' } })).toEqual({
      signatures_adapter: ['is invalid'],
      id_token_signature_alg: ['is invalid'],
    });
    const change = {
      key_pair_type: { type: 'universal' },
      signatures_adapter: 'Elixir.Boruta.Universal.Signatures',
      id_token_signature_alg: 'EdDSA',
    };
    expect(patchOf(change)).toEqual(change);
  });

  it('refuses the universal adapter on an rsa key', () => {
    expect(errorsOf({ signatures_adapter: 'Elixir.Boruta.Universal.Signatures' })).toEqual({
      signatures_adapter: ['is invalid'],
    });
  });

  it('reports an unknown stored key type on the adapter', () => {
    expect(
      errorsOf({ signatures_adapter: 'Elixir.Boruta.Internal.Signatures' }, storedClient({ key_pair_type: {} })),
    ).toEqual({ signatures_adapter: ['unknown key pair type'] });
  });

  it('leaves fields out of the group alone, even on an inconsistent stored client', () => {
    const inconsistent = storedClient({ id_token_signature_alg: 'ES256' });
    expect(patchOf({ name: 'x' }, inconsistent)).toEqual({ name: 'x' });
  });

  it('reports a field that failed its own rule once', () => {
    expect(errorsOf({ id_token_signature_alg: 7 })).toEqual({ id_token_signature_alg: ['is invalid'] });
    expect(errorsOf({ signatures_adapter: null })).toEqual({ signatures_adapter: ["can't be blank"] });
  });
});

describe('limits', () => {
  it.each([
    ['name', 255],
    ['public_client_id', 255],
    ['secret', 1024],
    ['trusted_authorities', 8192],
    ['jwt_public_key', 16384],
  ])('caps %s at %i characters', (field, max) => {
    expect(patchOf({ [field]: 'a'.repeat(max) })).toEqual({ [field]: 'a'.repeat(max) });
    expect(errorsOf({ [field]: 'a'.repeat(max + 1) })).toEqual({ [field]: [`should be at most ${max} character(s)`] });
  });

  it.each([
    ['redirect_uris', (index: number) => `https://app${index}.example.com/cb`, 100],
    ['trusted_hosts', (index: number) => `host${index}.example.com`, 100],
    ['supported_grant_types', () => 'password', 20],
    ['token_endpoint_auth_methods', () => 'client_secret_post', 20],
  ])('caps %s at %i entries', (field, entry, max) => {
    const full = Array.from({ length: max }, (_, index) => entry(index));
    expect(patchOf({ [field]: full })).toEqual({ [field]: full });
    expect(errorsOf({ [field]: [...full, entry(max)] })).toEqual({ [field]: [`should have at most ${max} item(s)`] });
  });

  it('caps each redirect URI at 2048 characters and each trusted host at 255', () => {
    expect(
      errorsOf({
        redirect_uris: [`https://a.example.com/${'p'.repeat(2048)}`],
        trusted_hosts: [`${'h'.repeat(256)}`],
      }),
    ).toEqual({
      redirect_uris: ['should be at most 2048 character(s)'],
      trusted_hosts: ['should be at most 255 character(s)'],
    });
  });

  it('refuses key_pair_type values that nest deeper than JSON.stringify can go, without a 5xx', () => {
    const deep = JSON.parse(`{"type":"rsa","modulus_size":"2048","n":${'['.repeat(20000)}${']'.repeat(20000)}}`);

    expect(errorsOf({ key_pair_type: deep })).toEqual({
      key_pair_type: ['validation failed: The type at #/n `array` do not match the required types ["string"].'],
    });
  });

  it('refuses __proto__ as a key_pair_type key, nested or not, and leaves prototypes alone', () => {
    const top = JSON.parse('{"type":"rsa","modulus_size":"2048","__proto__":{"polluted":true}}');
    const nested = JSON.parse('{"type":"rsa","modulus_size":"2048","n":{"__proto__":{"polluted":true}}}');

    expect(errorsOf({ key_pair_type: top })).toEqual({
      key_pair_type: [
        'validation failed: Property names at # do match required pattern /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.',
      ],
    });
    expect(errorsOf({ key_pair_type: nested })).toEqual({
      key_pair_type: ['validation failed: The type at #/n `object` do not match the required types ["string"].'],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 422 naming the largest field when an update would push an imported client past 400 KB', () => {
    const imported = storedClient({ jwt_public_key: 'k'.repeat(260 * 1024) });
    const uris = Array.from({ length: 100 }, (_, index) => `https://app${index}.example.com/${'p'.repeat(200)}`);

    expect(errorsOf({ redirect_uris: uris, name: 'small' }, imported)).toEqual({
      redirect_uris: ['would make the client larger than the 400 KB a stored item may hold'],
    });
    expect(patchOf({ name: 'small' }, imported)).toEqual({ name: 'small' });
  });

  it('keeps room in the item for a full history: refuses a client that would fit without it', () => {
    // 300 KB of client fit in 400 KB, but not beside 50 history entries of up to 2,570 bytes each.
    const imported = storedClient({ jwt_public_key: 'k'.repeat(290 * 1024) });
    const uris = Array.from({ length: 40 }, (_, index) => `https://app${index}.example.com/${'p'.repeat(200)}`);

    expect(HISTORY_BYTES).toBe(128_500);
    expect(errorsOf({ redirect_uris: uris }, imported)).toEqual({
      redirect_uris: ['would make the client larger than the 400 KB a stored item may hold'],
    });
  });
});
