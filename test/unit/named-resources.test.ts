import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  IdentityProviderViewSchema,
  linkedClientsErrors,
  planIdentityProviderChanges,
  planIdentityProviderCreate,
  toIdentityProviderView,
} from '../../lambda/domain/identity-provider.js';
import { byName, parseResourceBody } from '../../lambda/domain/named-resource.js';
import {
  isUsableScopeName,
  PROTECTED_SCOPE_NAMES,
  planScopeChanges,
  planScopeCreate,
  ScopeViewSchema,
  toScopeView,
} from '../../lambda/domain/scope.js';

const TOO_LONG = 'x'.repeat(256);

describe('the scope body', () => {
  it.each([
    ['not an object', [], { resource: ['must be a JSON object'] }],
    ['without scope', { name: 'x' }, { scope: ['is required'] }],
    ['with a scope that is not an object', { scope: 'openid' }, { scope: ['must be an object'] }],
    ['with a null scope', { scope: null }, { scope: ['must be an object'] }],
  ])('is a 400 when %s', (_, body, errors) => {
    expect(parseResourceBody(body, 'scope')).toEqual({ ok: false, errors });
  });

  it('is the object under its key', () => {
    expect(parseResourceBody({ scope: { name: 'x' }, other: 1 }, 'scope')).toEqual({ ok: true, fields: { name: 'x' } });
  });
});

describe('scope create', () => {
  it('takes the defaults: label null, public false, an id generated later', () => {
    expect(planScopeCreate({ name: 'orders:read' })).toEqual({
      status: 'ready',
      id: undefined,
      record: { name: 'orders:read', label: null, public: false },
    });
  });

  it.each([
    ['a UUID, lower-cased', { id: 'A1B2C3D4-0000-4000-8000-00000000000F' }, 'a1b2c3d4-0000-4000-8000-00000000000f'],
    ['null', { id: null }, undefined],
    ['blank', { id: ' ' }, undefined],
  ])('honours an id that is %s', (_, fields, id) => {
    expect(planScopeCreate({ name: 'x', ...fields })).toMatchObject({ status: 'ready', id });
  });

  it('reports every failing field at once, an invalid id with them', () => {
    expect(planScopeCreate({ id: 'mine', name: 'has space', label: 1, public: null })).toEqual({
      status: 'invalid',
      errors: {
        id: ['is invalid'],
        name: ['must not contain whitespace'],
        label: ['is invalid'],
        public: ['must not be null'],
      },
    });
  });

  it.each([
    ['absent', {}],
    ['null', { name: null }],
    ['empty', { name: '' }],
    ['whitespace only', { name: ' \t' }],
  ])("answers can't be blank for a name %s", (_, fields) => {
    expect(planScopeCreate(fields)).toEqual({ status: 'invalid', errors: { name: ["can't be blank"] } });
  });

  it.each([
    ['a number', 1, ['is invalid']],
    ['leading whitespace', ' openid', ['must not contain whitespace']],
    ['inner whitespace', 'open id', ['must not contain whitespace']],
    ['trailing whitespace', 'openid\n', ['must not contain whitespace']],
    ['256 characters', TOO_LONG, ['should be at most 255 character(s)']],
    ['both', `${TOO_LONG} x`, ['must not contain whitespace', 'should be at most 255 character(s)']],
  ])('refuses a name that is %s', (_, name, messages) => {
    expect(planScopeCreate({ name })).toEqual({ status: 'invalid', errors: { name: messages } });
  });

  it('keeps case: scopes are case-sensitive', () => {
    expect(planScopeCreate({ name: 'Orders:Read' })).toMatchObject({ record: { name: 'Orders:Read' } });
  });
});

describe('scope fields', () => {
  it('treats an empty change as nothing to change, and ignores unknown keys and id', () => {
    expect(planScopeChanges({})).toEqual({ status: 'ready', changes: {} });
    expect(planScopeChanges({ id: '0d3c9e1a-7b2f-4c5d-8e6f-9a0b1c2d3e4f', edit: true, unknown: 1 })).toEqual({
      status: 'ready',
      changes: {},
    });
  });

  it('answers the contract example: name and public null', () => {
    expect(planScopeChanges({ name: null, public: null })).toEqual({
      status: 'invalid',
      errors: { name: ["can't be blank"], public: ['must not be null'] },
    });
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
  ])('casts public %j', (value, cast) => {
    expect(planScopeChanges({ public: value })).toEqual({ status: 'ready', changes: { public: cast } });
  });

  it.each([['yes'], [1], [''], [[]]])('answers is invalid for public %j', (value) => {
    expect(planScopeChanges({ public: value })).toEqual({ status: 'invalid', errors: { public: ['is invalid'] } });
  });

  it.each([
    [null, null],
    ['', null],
    ['  ', null],
    [' Read orders ', ' Read orders '],
  ])('reads label %j as %j', (label, stored) => {
    expect(planScopeChanges({ label })).toEqual({ status: 'ready', changes: { label: stored } });
  });

  it.each([
    [1, ['is invalid']],
    [TOO_LONG, ['should be at most 255 character(s)']],
  ])('refuses label %j', (label, messages) => {
    expect(planScopeChanges({ label })).toEqual({ status: 'invalid', errors: { label: messages } });
  });
});

describe('the scope name the by-name path of a client update accepts', () => {
  it.each([
    ['orders:read', true],
    ['', false],
    ['has space', false],
    [TOO_LONG, false],
    [1, false],
  ])('is the same predicate: %j → %s', (name, usable) => {
    expect(isUsableScopeName(name)).toBe(usable);
    expect(planScopeCreate({ name }).status === 'ready').toBe(usable);
  });
});

describe('the scope view', () => {
  it('has exactly id, name, label and public, label null when unset', () => {
    const view = toScopeView({ id: 'i', name: 'n', label: null, public: false });
    expect(view).toEqual({ id: 'i', name: 'n', label: null, public: false });
    expect(Object.keys(view)).toEqual(['id', 'name', 'label', 'public']);
    expect(v.is(ScopeViewSchema, view)).toBe(true);
  });

  it('protects the admin API scopes by their names', () => {
    expect(PROTECTED_SCOPE_NAMES).toEqual([
      'users:manage:all',
      'clients:manage:all',
      'identity-providers:manage:all',
      'scopes:manage:all',
      'roles:manage:all',
      'upstreams:manage:all',
    ]);
  });

  it('lists in byte order of the names', () => {
    const names = ['b', 'B', 'a', 'é', 'z', '\uffff', '😀'];
    expect(
      names
        .map((name) => ({ name }))
        .sort(byName)
        .map(({ name }) => name),
    ).toEqual(['B', 'a', 'b', 'z', 'é', '\uffff', '😀']);
  });
});

describe('identity provider fields', () => {
  it('creates with a name, spaces allowed, and ignores backend_id and the feature flags', () => {
    expect(planIdentityProviderCreate({ name: 'some name', backend_id: 'x', registrable: true })).toEqual({
      status: 'ready',
      id: undefined,
      record: { name: 'some name' },
    });
  });

  it.each([
    [{}, ["can't be blank"]],
    [{ name: null }, ["can't be blank"]],
    [{ name: ' ' }, ["can't be blank"]],
    [{ name: 1 }, ['is invalid']],
    [{ name: TOO_LONG }, ['should be at most 255 character(s)']],
  ])('refuses %j on create', (fields, messages) => {
    expect(planIdentityProviderCreate(fields)).toEqual({ status: 'invalid', errors: { name: messages } });
  });

  it('ignores id on update', () => {
    expect(planIdentityProviderChanges({ id: 'x', name: 'Partners' })).toEqual({
      status: 'ready',
      changes: { name: 'Partners' },
    });
  });

  it('shows exactly id and name', () => {
    const view = toIdentityProviderView({ id: 'i', name: 'n' });
    expect(Object.keys(view)).toEqual(['id', 'name']);
    expect(v.is(IdentityProviderViewSchema, view)).toBe(true);
  });

  it('names the linked clients of a refused delete in ascending order, joined by ", "', () => {
    expect(linkedClientsErrors(['c', 'a', 'b'])).toEqual({
      client_identity_providers: ['identity provider is associated with client(s) a, b, c'],
    });
  });
});
