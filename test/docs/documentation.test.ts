import { describe, expect, it } from 'vitest';
import { parseLocalServerOptions } from '../../bin/local/options.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';
import { codeTruth } from '../support/code-truth.js';
import { checkDocuments, projectDocuments } from '../support/doc-check.js';

const truth = codeTruth();

/** The findings in a doc at docs/example.md, beside the project's own files, as `line: message`. */
function findingsIn(markdown: string, others: Record<string, string> = {}): string[] {
  const documents = new Map([['docs/example.md', markdown], ...Object.entries(others)]);
  return checkDocuments(documents, truth, PROJECT_ROOT)
    .filter((finding) => finding.file === 'docs/example.md')
    .map((finding) => `${finding.line}: ${finding.message}`);
}

describe('the project documentation', () => {
  it('links only to files and headings that exist, and names only routes, flags, settings and variables the code has', () => {
    const findings = checkDocuments(projectDocuments(PROJECT_ROOT), truth, PROJECT_ROOT);

    expect(findings.map(({ file, line, message }) => `${file}:${line}: ${message}`)).toEqual([]);
  });
});

describe('the documentation check', () => {
  describe('links', () => {
    it('accepts files, folders, GitHub heading slugs, HTML anchors and line anchors that exist', () => {
      const doc = [
        '# Update a client: `PUT` or `PATCH /api/clients/{client_id}`',
        '## Limits',
        '## Limits',
        '<a id="retries"></a>',
        '[a](#update-a-client-put-or-patch-apiclientsclient_id) [b](#limits-1) [c](#retries)',
        '[d](../README.md#quick-start) [e](../lib/api-routes.ts#L1-L3) [f](../lib/) [g](/package.json)',
        '[h](https://example.com/missing.md) [i](mailto:team@example.com) [j](other.md#second-part)',
      ].join('\n');

      expect(findingsIn(doc, { 'docs/other.md': '# First\n\n## Second part\n' })).toEqual([]);
    });

    it('finds links to missing files, missing headings and anchors, and files outside the repository', () => {
      const doc = [
        '# Title',
        '[a](missing.md) and ![b](../images/none.png)',
        '[c](#titel) [d](../README.md#no-such-heading) [e](../lib/api-routes.ts#L99999) [f](../lib/api-routes.ts#top)',
        '[g](../../shared/CONTRACT.md)',
        '',
        '[h]: ./gone.md',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([
        '2: links to missing.md: there is no file docs/missing.md',
        '2: links to ../images/none.png: there is no file images/none.png',
        '3: links to #titel: docs/example.md has no heading #titel',
        '3: links to ../README.md#no-such-heading: README.md has no heading #no-such-heading',
        '3: links to ../lib/api-routes.ts#L99999: lib/api-routes.ts has no anchor #L99999',
        '3: links to ../lib/api-routes.ts#top: lib/api-routes.ts has no anchor #top',
        '4: cites the contract, which users do not have: say the rule in our own words',
        '4: links to ../../shared/CONTRACT.md, outside the repository',
        '6: links to ./gone.md: there is no file docs/gone.md',
      ]);
    });
  });

  describe('routes', () => {
    it('accepts the routes of the route table with their methods, placeholders, demo ids, the stage and a trailing slash', () => {
      const doc = [
        '`PUT` or `PATCH /api/clients/{client_id}`; `GET /api/clients/` and `GET, POST /api/clients`',
        '`DELETE /v1/api/clients/<id>`, `<ApiUrl>api/clients/$ID/regenerate_did`',
        '```sh',
        'curl -X POST http://127.0.0.1:3000/api/clients/6a2f41a3-c54c-4ce8-b2d2-0324e1c32e22/regenerate_key_pair',
        'curl -sS http://127.0.0.1:3000/api/openapi.json; open http://127.0.0.1:3000/docs/',
        '```',
        '```http',
        'GET /api/clients?limit=2',
        '```',
        'A CloudFront behavior `/api/*`, or nginx `location /api/ { proxy_pass https://<host>/v1/api/; }`.',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([]);
    });

    it('finds paths no route serves, methods a resource lacks, ids of no demo record and a wrong stage', () => {
      const doc = [
        'Renames go through `POST /api/clients/{client_id}/rename`.',
        'Remove them all with `GET or DELETE /api/clients`.',
        '`GET /api/clients/6a2f41a3-c54c-fce8-32d2-0324e1c32e22` and `/v2/api/clients`',
        'Boruta serves `/api/backends/` too.',
        '```sh',
        'curl -X PUT http://127.0.0.1:3000/api/openapi.json',
        'curl https://abc.execute-api.eu-west-1.amazonaws.com/v1/docs',
        '```',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([
        '1: names POST /api/clients/{client_id}/rename, which no route of the API serves',
        '2: names GET or DELETE /api/clients, but /api/clients serves only GET, POST',
        '3: names GET /api/clients/6a2f41a3-c54c-fce8-32d2-0324e1c32e22 with 6a2f41a3-c54c-fce8-32d2-0324e1c32e22 for {client_id}: use a placeholder or an id of the demo data',
        '3: names /v2/api/clients: routes sit below /v1 or at the root, not below /v2',
        '4: names /api/backends/, which no route of the API serves',
        '6: names PUT /api/openapi.json: /api/openapi.json is answered to GET only',
        '7: names /v1/docs: the local server serves /docs, the deployed API does not',
      ]);
    });
  });

  describe('command lines', () => {
    it("accepts each entry point's own flags, npm's flags before --, and other programs' flags", () => {
      const doc = [
        '```sh',
        'npm --silent start -- --port 0 --no-throttle --protected-client-id "$ID"',
        'TOKEN=$(npm --silent run token -- --scope "a b" --expires-in -60)',
        'npx tsx bin/smoke.ts --url <ApiUrl> --token "$TOKEN" --forbidden-token=x',
        'aws cognito-idp describe-user-pool-client --user-pool-id <UserPoolId> \\',
        '  --query UserPoolClient.ClientSecret --output text | jq -r .x',
        'npm ci && npm test && npx cdk flags --unstable=flags',
        '```',
        'Options: `--seconds N`, `[--cold-runs N]`; `npm run import -- --table NAME [--region R] FILE`.',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([]);
    });

    it('finds flags no entry point takes, flags npm would take, and scripts or entry points that do not exist', () => {
      const doc = [
        '```bash',
        'npm start -- --prot 3000',
        'npm run bench --check',
        'npm run benchmark -- --check',
        'npx tsx bin/token.ts --subject me',
        'node --import tsx bin/serve.ts',
        '```',
        'Lift the throttles with `--no-throttling`, or --unthrottled.',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([
        '2: passes --prot to npm run start, which does not take it',
        '3: passes --check to npm, not to bench: put it after --',
        '4: runs npm script benchmark, which package.json does not have',
        '5: passes --subject to bin/token.ts, which does not take it',
        '6: runs bin/serve.ts, which is not one of our entry points',
        '8: names --no-throttling, which no command of ours takes',
        '8: names --unthrottled, which no command of ours takes',
      ]);
    });
  });

  describe('CDK context keys', () => {
    it('accepts the keys the CDK app reads, in commands, in prose and in a context key column', () => {
      const doc = [
        '```sh',
        'npx cdk deploy -c issuerUrl=https://idp.example.com -c audience=api --context jwksUri=https://x',
        '```',
        'Set `-c throttleRate/throttleBurst`, or `-c key=value` in general.',
        '',
        '| context key | meaning |',
        '|---|---|',
        '| `cognitoUserPoolId` | a pool |',
        '| `stackName` | the name |',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([]);
    });

    it('finds keys the CDK app does not read', () => {
      const doc = [
        '```sh',
        'npx cdk deploy -c issuer=https://idp.example.com',
        '```',
        'Set `-c throttleRate/throttleBursts`.',
        '',
        '| context key | meaning |',
        '|---|---|',
        '| `userPoolId` | a pool |',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([
        '2: names the context key issuer, which the CDK app does not read',
        '4: names the context key throttleBursts, which the CDK app does not read',
        '8: names the context key userPoolId, which the CDK app does not read',
      ]);
    });
  });

  describe('environment variables', () => {
    it('accepts what the code reads, what it sets for its processes, and the allowed names of other tools', () => {
      const doc = [
        '```sh',
        'THROTTLE=off PORT=0 npm start',
        'TOKEN=$(npm --silent run token)',
        'export ID=$(curl -s http://127.0.0.1:3000/api/clients | jq -r .data[0].id)',
        'AWS_PROFILE=admin CDK_DISABLE_CLI_TELEMETRY=true npx cdk deploy',
        '```',
        'With `PROPERTY_BATCHES=50`, `process.env.EVENT_BUS_NAME`, or the environment variable `SEED_FILE`.',
        '',
        '| variable | meaning |',
        '|---|---|',
        '| `REQUIRED_SCOPE` | the scope |',
        '| `DYNAMODB_ENDPOINT`, `TABLE_NAME` | a table |',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([]);
    });

    it('finds variables the code neither reads nor sets', () => {
      const doc = [
        '```sh',
        'THROTTLING=off npm start',
        'export LOG_LEVEL=debug',
        '```',
        'With `PROPERTY_BATCH=50`, `process.env.BUS_NAME`, or the environment variable `SEEDS_FILE`.',
        '',
        '| environment | meaning |',
        '|---|---|',
        '| `DYNAMO_ENDPOINT` | a table |',
      ].join('\n');

      expect(findingsIn(doc)).toEqual([
        '2: names the environment variable THROTTLING, which the code does not read',
        '3: names the environment variable LOG_LEVEL, which the code does not read',
        '5: names the environment variable BUS_NAME, which the code does not read',
        '5: names the environment variable PROPERTY_BATCH, which the code does not read',
        '5: names the environment variable SEEDS_FILE, which the code does not read',
        '9: names the environment variable DYNAMO_ENDPOINT, which the code does not read',
      ]);
    });
  });

  it('finds every reference to the contract file, which users do not have', () => {
    expect(findingsIn('Defaults as in CONTRACT §5.\n\nThe contract of the Boruta admin API.\n')).toEqual([
      '1: cites the contract, which users do not have: say the rule in our own words',
    ]);
  });

  it("reads the local server's flags from the table that its parser accepts", () => {
    const flags = [...(truth.entryFlags.get('bin/local-server.ts') ?? [])];

    expect(flags).toEqual([
      'port',
      'host',
      'seed',
      'data-dir',
      'engine',
      'endpoint',
      'table',
      'protected-client-id',
      'cors-origin',
      'no-throttle',
      'events-file',
    ]);
    for (const flag of flags) {
      expect(() => parseLocalServerOptions([`--${flag}`, ...(flag === 'no-throttle' ? [] : ['x'])], {})).not.toThrow(
        /Unknown option/,
      );
    }
  });
});
