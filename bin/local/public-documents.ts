import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PublicDocument } from './api-gateway.js';
import { openApiDocument } from './openapi.js';

export const OPENAPI_PATH = '/api/openapi.json';
/** The API reference page: Swagger UI rendering the OpenAPI document. */
export const DOCS_PATH = '/docs';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const UTF8 = '; charset=utf-8';

// The page loads nothing but what this server answers: the browser enforces it, so that the
// page works offline and a renderer update that starts fetching fonts or beacons shows up.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const referencePage = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/reference-page.js"></script>
</body>
</html>
`;

// Every operation opened (a reference to read, not to click through), links to each operation
// (#/<tag>/<operationId>), and no validator badge (it would be fetched from swagger.io).
const referencePageScript = `SwaggerUIBundle({
  url: '${OPENAPI_PATH}',
  dom_id: '#reference',
  docExpansion: 'full',
  deepLinking: true,
  validatorUrl: null,
});
`;

/** Read once, at the first request that needs it. */
function swaggerUiAsset(file: string): () => string {
  let text: string | undefined;
  return () => {
    text ??= readFileSync(join(SWAGGER_UI_DIR, file), 'utf8');
    return text;
  };
}

// nosniff: the browser takes each document for what its Content-Type says, and nothing else.
const answer = (contentType: string, body: string, headers: Record<string, string> = {}): PublicDocument => ({
  contentType,
  body,
  headers: { 'X-Content-Type-Options': 'nosniff', ...headers },
});

/**
 * What the local server answers without a token: the OpenAPI document, and the reference page
 * that renders it with Swagger UI from node_modules (nothing from the internet).
 */
export function publicDocuments(): Record<string, () => PublicDocument> {
  const bundle = swaggerUiAsset('swagger-ui-bundle.js');
  const styles = swaggerUiAsset('swagger-ui.css');
  return {
    [OPENAPI_PATH]: () => answer('application/json', JSON.stringify(openApiDocument())),
    [DOCS_PATH]: () =>
      answer(`text/html${UTF8}`, referencePage((openApiDocument().info as { title: string }).title), {
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      }),
    [`${DOCS_PATH}/reference-page.js`]: () => answer(`text/javascript${UTF8}`, referencePageScript),
    [`${DOCS_PATH}/swagger-ui-bundle.js`]: () => answer(`text/javascript${UTF8}`, bundle()),
    [`${DOCS_PATH}/swagger-ui.css`]: () => answer(`text/css${UTF8}`, styles()),
  };
}
