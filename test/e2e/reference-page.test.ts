import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATH, OPENAPI_PATH } from '../../bin/local/public-documents.js';
import { API_ROUTES } from '../../lib/api-routes.js';
import { chromiumRequired, launchChromium } from '../support/chromium.js';
import { type RunningServer, startServer } from './local-server.js';

const DOCS_LINE = 'API reference (no token needed): ';
const swaggerUiFile = (file: string) => createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`);

/** The line `npm start` prints last; it follows the first line by a moment. */
async function printedDocsUrl(server: RunningServer): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const line = server.lines.find((printed) => printed.startsWith(DOCS_LINE));
    if (line) return line.slice(DOCS_LINE.length);
    await sleep(100);
  }
  throw new Error(`no "${DOCS_LINE}" line in: ${server.lines.join('\n')}`);
}

describe('the API reference page of npm start', () => {
  let server: RunningServer;
  let docsUrl: string;

  beforeAll(async () => {
    server = await startServer();
    docsUrl = await printedDocsUrl(server);
  }, 60_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe('stopped cleanly');
  });

  it('is printed last, after the lines users script against', () => {
    const curlExample = server.lines.find((line) => line.startsWith('curl '));

    expect(server.lines[0]).toBe(`Listening on ${server.url}`);
    expect(server.lines.slice(-3)).toEqual([curlExample, '', `${DOCS_LINE}${server.url}${DOCS_PATH}`]);
  });

  it('serves the page, its script and its styles without a token, each with its content type', async () => {
    const answers = await Promise.all(
      ['', '/', '/reference-page.js', '/swagger-ui-bundle.js', '/swagger-ui.css'].map(async (suffix) => {
        const response = await fetch(`${docsUrl}${suffix}`);
        await response.arrayBuffer();
        return [
          suffix,
          response.status,
          response.headers.get('content-type'),
          response.headers.get('x-content-type-options'),
        ];
      }),
    );

    expect(answers).toEqual([
      ['', 200, 'text/html; charset=utf-8', 'nosniff'],
      ['/', 200, 'text/html; charset=utf-8', 'nosniff'],
      ['/reference-page.js', 200, 'text/javascript; charset=utf-8', 'nosniff'],
      ['/swagger-ui-bundle.js', 200, 'text/javascript; charset=utf-8', 'nosniff'],
      ['/swagger-ui.css', 200, 'text/css; charset=utf-8', 'nosniff'],
    ]);
  });

  it('serves Swagger UI as installed in node_modules', async () => {
    const [bundle, styles] = await Promise.all(
      ['swagger-ui-bundle.js', 'swagger-ui.css'].map(async (file) => (await fetch(`${docsUrl}/${file}`)).text()),
    );

    expect(bundle).toBe(await readFile(swaggerUiFile('swagger-ui-bundle.js'), 'utf8'));
    expect(styles).toBe(await readFile(swaggerUiFile('swagger-ui.css'), 'utf8'));
  });

  it('lets the page load nothing but what the server answers', async () => {
    const policy = (await fetch(docsUrl)).headers.get('content-security-policy') ?? '';

    expect(policy.split('; ')).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
      ]),
    );
  });

  it.runIf(chromiumRequired)(
    'shows every route of the route table in Chromium, opened, with its summary, and asks nothing of the internet',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        const requested: string[] = [];
        const problems: string[] = [];
        page.on('request', (request) => requested.push(request.url()));
        page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
        page.on('pageerror', (error) => problems.push(error.message));

        await page.goto(docsUrl);
        await page.locator('.opblock').first().waitFor();
        const shown = await Promise.all(
          (await page.locator('.opblock-summary').all()).map(async (summary) => {
            // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered is what a reader sees
            const part = (name: string) => summary.locator(`.opblock-summary-${name}`).innerText();
            return `${await part('method')} ${await part('path')} ${await part('description')}`;
          }),
        );

        expect(shown.sort()).toEqual(
          API_ROUTES.map((route) => `${route.method} ${route.path} ${route.summary}`).sort(),
        );
        expect(await page.locator('.opblock.is-open').count()).toBe(API_ROUTES.length);
        expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
        expect(requested).toContain(`${server.url}${OPENAPI_PATH}`);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
