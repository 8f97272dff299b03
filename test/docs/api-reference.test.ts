import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../bin/local/openapi.js';
import { OPENAPI_PATH } from '../../bin/local/public-documents.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

const METHOD = '(?:GET|POST|PUT|PATCH|DELETE)';
/** `GET /api/x`, `PUT or PATCH /api/x/{id}`, `GET, POST /api/x`, `PUT / PATCH /api/x`, backticks removed. */
const ROUTE_MENTION = new RegExp(
  `(${METHOD}(?:(?:\\s*[,/]\\s*|,?\\s+(?:or|and)\\s+)${METHOD})*)\\s+(/api/[\\w{}./-]*[\\w}])`,
  'g',
);
/** A first table cell of statuses only: `| 412 |`, `| 401 / 403 |`. */
const STATUS_CELL = /^\|\s*([1-5]\d\d(?:\s*\/\s*[1-5]\d\d)*)\s*\|/gm;
/** A success answer in a code span: its status alone (`` `204` ``) or with its body (`` `201 {...}` ``). */
const STATUS_ANSWER = /`(2\d\d)(?: \{[^`]*)?`/g;

/** `METHOD /path` with every path parameter written `{}`, so that names and demo ids compare alike. */
function routeKey(method: string, path: string): string {
  const generic = path
    .split('/')
    .map((segment) => (/^\{.+\}$|^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(segment) ? '{}' : segment))
    .join('/');
  return `${method} ${generic}`;
}

function documentedRoutes(markdown: string): Set<string> {
  const routes = new Set<string>();
  for (const [, methods, path] of markdown.replaceAll('`', '').matchAll(ROUTE_MENTION)) {
    for (const method of (methods as string).match(new RegExp(METHOD, 'g')) ?? [])
      routes.add(routeKey(method, path as string));
  }
  return routes;
}

function documentedStatuses(markdown: string): Set<string> {
  const cells = [...markdown.matchAll(STATUS_CELL)].flatMap((match) => (match[1] as string).split(/\s*\/\s*/));
  return new Set([...cells, ...[...markdown.matchAll(STATUS_ANSWER)].map((match) => match[1] as string)]);
}

type Operations = Record<string, { responses: Record<string, unknown> }>;
const openApi = openApiDocument() as { paths: Record<string, Operations> };
const operations = Object.entries(openApi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([key]) => key !== 'parameters')
    .map(([method, operation]) => ({
      route: routeKey(method.toUpperCase(), path),
      statuses: Object.keys(operation.responses),
    })),
);
const apiReference = readFileSync(join(PROJECT_ROOT, 'docs', 'api.md'), 'utf8');

describe('docs/api.md against the OpenAPI document', () => {
  it('names every route of the OpenAPI document, and no route it lacks but the document itself', () => {
    const inDocument = new Set(operations.map((operation) => operation.route));
    const documented = documentedRoutes(apiReference);

    expect([...inDocument].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((route) => !inDocument.has(route))).toEqual([routeKey('GET', OPENAPI_PATH)]);
  });

  it('lists every status of the OpenAPI document, and no status the document does not give', () => {
    const inDocument = new Set(operations.flatMap((operation) => operation.statuses));
    const documented = documentedStatuses(apiReference);

    expect([...inDocument].filter((status) => !documented.has(status)).sort()).toEqual([]);
    expect([...documented].filter((status) => !inDocument.has(status)).sort()).toEqual([]);
  });
});

describe('the comparison of docs/api.md with the OpenAPI document', () => {
  it('reads routes with several methods, placeholders, demo ids and code spans', () => {
    const markdown = [
      '`PUT` or `PATCH /api/clients/{client_id}`; `GET, POST /api/scopes`, `PUT` / `PATCH /api/scopes/{scope_id}`',
      'then `DELETE /api/clients/6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22`, and /api/clients alone names no route.',
    ].join('\n');

    expect([...documentedRoutes(markdown)].sort()).toEqual([
      'DELETE /api/clients/{}',
      'GET /api/scopes',
      'PATCH /api/clients/{}',
      'PATCH /api/scopes/{}',
      'POST /api/scopes',
      'PUT /api/clients/{}',
      'PUT /api/scopes/{}',
    ]);
  });

  it('reads statuses from the first cell of status tables and success answers in code spans, not from other numbers', () => {
    const markdown = [
      '| status | when |',
      '| 412 | stale |',
      '| 255 characters | cap |',
      '| 401 / 403 | no token, or no scope |',
      '`201 {"data": client}`, then `204`; names of at most 255 characters, `120` or 2550, `200 OK`',
    ].join('\n');

    expect([...documentedStatuses(markdown)].sort()).toEqual(['201', '204', '401', '403', '412']);
  });
});
