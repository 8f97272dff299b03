import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from '@babel/parser';
import { parse as parseShell } from 'shell-quote';
import { publicDocuments } from '../../bin/local/public-documents.js';
import { DEMO_SEED_FILE } from '../../bin/local/server.js';
import { API_ROUTES, STAGE } from '../../lib/api-routes.js';
import { PROJECT_ROOT } from '../../lib/function-bundling.js';

/**
 * What the code offers its users, read from the code itself: the routes, the command-line
 * entry points and their flags, the CDK context keys and the environment variables. The
 * documentation check compares every name a doc uses with these.
 */
export interface CodeTruth {
  /** The deployed stage, the first segment of every route below the stage URL. */
  stage: string;
  /** Each resource path of the route table with the methods it serves. */
  routes: Map<string, Set<string>>;
  /** What the local server also answers (GET only, not deployed): the OpenAPI document, /docs. */
  localDocuments: Set<string>;
  /** The ids of the demo data: the ids an example may put in a route's path. */
  exampleIds: Set<string>;
  /** Each npm script, with the entry point it runs when that is one of ours (`tsx bin/x.ts`). */
  scripts: Map<string, string | undefined>;
  /** Each command-line entry point (`bin/x.ts`) with its flags, without the leading `--`. */
  entryFlags: Map<string, Set<string>>;
  contextKeys: Set<string>;
  environment: Set<string>;
}

/**
 * Environment variables the docs may name that belong to other tools and that this code base
 * neither reads nor sets: the AWS credential chain and region of the AWS CLI and SDK, the SDK's
 * DynamoDB endpoint override, Powertools' log level, what the CDK CLI hands the app, CI, and
 * the settings of Boruta's admin UI.
 */
const OTHER_TOOLS_ENVIRONMENT = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'POWERTOOLS_LOG_LEVEL',
  'CDK_DEFAULT_ACCOUNT',
  'CDK_DEFAULT_REGION',
  'CI',
  // Boruta's admin UI, which docs/boruta-admin-ui.md configures against this API.
  'BORUTA_ADMIN_BASE_URL',
  'BORUTA_ADMIN_OAUTH_BASE_URL',
  'BORUTA_ADMIN_OAUTH_CLIENT_ID',
];

const SOURCE_FOLDERS = ['bin', 'lib', 'lambda', 'test'];

export function codeTruth(): CodeTruth {
  const root = PROJECT_ROOT;
  const routes = new Map<string, Set<string>>();
  for (const route of API_ROUTES) routes.set(route.path, (routes.get(route.path) ?? new Set()).add(route.method));
  const scripts = npmScripts(root);
  const entries = new Set([...scripts.values()].filter((entry) => entry !== undefined));
  for (const file of sourceFiles(root, ['bin'])) if (dirname(file) === 'bin') entries.add(file);
  const sources = sourceFiles(root, SOURCE_FOLDERS).concat('vitest.config.ts');
  return {
    stage: STAGE,
    routes,
    localDocuments: new Set(Object.keys(publicDocuments())),
    exampleIds: idsIn(JSON.parse(readFileSync(DEMO_SEED_FILE, 'utf8'))),
    scripts,
    entryFlags: new Map([...entries].map((entry) => [entry, flagsOf(root, entry)])),
    contextKeys: new Set(
      sources.filter((file) => /^(bin|lib)\//.test(file)).flatMap((file) => contextKeysIn(syntaxOf(root, file))),
    ),
    environment: new Set([
      ...OTHER_TOOLS_ENVIRONMENT,
      ...sources.flatMap((file) => environmentIn(syntaxOf(root, file))),
      ...[...npmScriptCommands(root).values()].flatMap(assignedVariables),
    ]),
  };
}

function sourceFiles(root: string, folders: string[]): string[] {
  return folders.flatMap((folder) =>
    (readdirSync(join(root, folder), { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts'))
      .map((file) => join(folder, file).replaceAll('\\', '/')),
  );
}

function npmScriptCommands(root: string): Map<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return new Map(Object.entries(scripts));
}

function npmScripts(root: string): Map<string, string | undefined> {
  return new Map(
    [...npmScriptCommands(root)].map(([name, command]) => [name, /^tsx (bin\/[\w/.-]+\.ts)$/.exec(command)?.[1]]),
  );
}

/** `NAME=value` words that lead a shell command: the variables it sets for the command. */
function assignedVariables(command: string): string[] {
  const names: string[] = [];
  for (const word of parseShell(command)) {
    const name = typeof word === 'string' ? /^([A-Z][A-Z0-9_]*)=/.exec(word)?.[1] : undefined;
    if (!name) break;
    names.push(name);
  }
  return names;
}

function idsIn(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (item: unknown, key?: string) => {
    if (typeof item === 'string' && (key === 'id' || key === 'protected_client_ids')) ids.add(item);
    else if (Array.isArray(item)) for (const element of item) visit(element, key);
    else if (item && typeof item === 'object') for (const [name, child] of Object.entries(item)) visit(child, name);
  };
  visit(value);
  return ids;
}

// The syntax tree of a TypeScript file, walked loosely: only the node kinds read below matter.
interface SyntaxNode {
  type: string;
  [key: string]: unknown;
}

const syntaxTrees = new Map<string, SyntaxNode>();

function syntaxOf(root: string, file: string): SyntaxNode {
  const path = join(root, file);
  let program = syntaxTrees.get(path);
  if (!program) {
    program = parse(readFileSync(path, 'utf8'), { sourceType: 'module', plugins: ['typescript'] })
      .program as unknown as SyntaxNode;
    syntaxTrees.set(path, program);
  }
  return program;
}

function isNode(value: unknown): value is SyntaxNode {
  return typeof value === 'object' && value !== null && typeof (value as SyntaxNode).type === 'string';
}

function* nodesOf(node: SyntaxNode): Generator<SyntaxNode> {
  yield node;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments') continue;
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) yield* nodesOf(child);
  }
}

/** The name of an identifier, a string literal or a non-computed property key. */
function nameOf(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'StringLiteral') return node.value as string;
  return undefined;
}

function withoutTypeAssertion(node: unknown): unknown {
  return isNode(node) && ['TSAsExpression', 'TSSatisfiesExpression'].includes(node.type)
    ? withoutTypeAssertion(node.expression)
    : node;
}

function keysOf(objectExpression: unknown): string[] {
  const object = withoutTypeAssertion(objectExpression);
  if (!isNode(object) || object.type !== 'ObjectExpression') return [];
  return (object.properties as SyntaxNode[]).flatMap((property) => nameOf(property.key) ?? []);
}

function calleeName(call: SyntaxNode): string | undefined {
  const callee = call.callee as SyntaxNode;
  return callee.type === 'MemberExpression' && !callee.computed ? nameOf(callee.property) : nameOf(callee);
}

/**
 * The flags of an entry point: the keys of the `options` that `parseArgs` reads, in the entry
 * itself or in a module it imports (the local server's table is in bin/local/options.ts), an
 * `options` given by name being the object literal of that name.
 */
function flagsOf(root: string, entry: string): Set<string> {
  const program = syntaxOf(root, entry);
  const imported = (program.body as SyntaxNode[])
    .filter((node) => node.type === 'ImportDeclaration' && node.importKind !== 'type')
    .map((node) => (node.source as SyntaxNode).value as string)
    .filter((source) => source.startsWith('.'))
    .map((source) => relative(root, join(root, dirname(entry), source.replace(/\.js$/, '.ts'))))
    .filter((file) => existsSync(join(root, file)));
  const flags = new Set<string>();
  for (const module of [program, ...imported.map((file) => syntaxOf(root, file))]) {
    const objects = new Map(
      [...nodesOf(module)]
        .filter((node) => node.type === 'VariableDeclarator' && nameOf(node.id))
        .map((node) => [nameOf(node.id) as string, node.init]),
    );
    for (const call of nodesOf(module)) {
      if (call.type !== 'CallExpression' || calleeName(call) !== 'parseArgs') continue;
      const config = withoutTypeAssertion((call.arguments as SyntaxNode[])[0]) as SyntaxNode;
      const options = (config?.properties as SyntaxNode[] | undefined)?.find(
        (property) => nameOf(property.key) === 'options',
      )?.value as SyntaxNode | undefined;
      if (!options) continue;
      const tables =
        options.type === 'ObjectExpression'
          ? [options]
          : [...nodesOf(options)].flatMap((node) =>
              node.type === 'Identifier' ? [objects.get(nameOf(node) ?? '')] : [],
            );
      for (const table of tables) for (const key of keysOf(table)) flags.add(key);
    }
  }
  return flags;
}

/**
 * The keys a module reads from CDK context: string arguments of `tryGetContext`, and of the
 * functions that hand their first parameter on to it (the `text` and `list` readers).
 */
function contextKeysIn(program: SyntaxNode): string[] {
  const readers = new Set(['tryGetContext']);
  const functions = [...nodesOf(program)].flatMap((node) => {
    if (node.type === 'VariableDeclarator' && isNode(node.init) && /Function/.test(node.init.type)) {
      return [{ name: nameOf(node.id), function: node.init }];
    }
    return node.type === 'FunctionDeclaration' ? [{ name: nameOf(node.id), function: node }] : [];
  });
  for (let grown = true; grown; ) {
    grown = false;
    for (const { name, function: body } of functions) {
      const parameter = nameOf((body.params as SyntaxNode[])[0]);
      if (!name || !parameter || readers.has(name)) continue;
      const forwards = [...nodesOf(body)].some(
        (node) =>
          node.type === 'CallExpression' &&
          readers.has(calleeName(node) ?? '') &&
          nameOf((node.arguments as SyntaxNode[])[0]) === parameter,
      );
      if (forwards) grown = readers.add(name).size > 0;
    }
  }
  return [...nodesOf(program)].flatMap((node) => {
    const argument = (node.arguments as SyntaxNode[] | undefined)?.[0];
    return node.type === 'CallExpression' && readers.has(calleeName(node) ?? '') && argument?.type === 'StringLiteral'
      ? [argument.value as string]
      : [];
  });
}

function isProcessEnv(node: unknown): boolean {
  return (
    isNode(node) &&
    node.type === 'MemberExpression' &&
    nameOf(node.object) === 'process' &&
    nameOf(node.property) === 'env'
  );
}

const ENVIRONMENT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The environment variables a module reads or sets: properties of `process.env` or of a
 * `NodeJS.ProcessEnv` parameter, `env: 'NAME'` in a flag table, and the upper-case keys of an
 * `env` or `environment` object (a child process's or a function's environment).
 */
function environmentIn(program: SyntaxNode): string[] {
  const environments = new Set(
    [...nodesOf(program)].flatMap((node) => {
      const binding = node.type === 'AssignmentPattern' ? (node.left as SyntaxNode) : node;
      const annotation = (binding.typeAnnotation as SyntaxNode | undefined)?.typeAnnotation as SyntaxNode | undefined;
      const type = annotation?.typeName as SyntaxNode | undefined;
      return binding.type === 'Identifier' &&
        type?.type === 'TSQualifiedName' &&
        nameOf(type.left) === 'NodeJS' &&
        nameOf(type.right) === 'ProcessEnv'
        ? [nameOf(binding) as string]
        : [];
    }),
  );
  return [...nodesOf(program)].flatMap((node) => {
    if (node.type === 'MemberExpression') {
      const fromEnvironment = isProcessEnv(node.object) || environments.has(nameOf(node.object) ?? '');
      const name = node.computed ? (node.property as SyntaxNode).value : nameOf(node.property);
      return fromEnvironment && typeof name === 'string' ? [name] : [];
    }
    if (node.type === 'ObjectProperty' && ['env', 'environment'].includes(nameOf(node.key) ?? '')) {
      const value = withoutTypeAssertion(node.value) as SyntaxNode;
      if (value.type === 'StringLiteral') return [value.value as string];
      return keysOf(value).filter((key) => ENVIRONMENT_NAME.test(key));
    }
    return [];
  });
}
