import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import GithubSlugger from 'github-slugger';
import type { Code, Heading, Nodes, Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString as textOf } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { parse as parseShell } from 'shell-quote';
import type { CodeTruth } from './code-truth.js';

/** A name or link in a doc that the code base does not have. */
export interface Finding {
  file: string;
  line: number;
  message: string;
}

/** README.md and every Markdown file below docs/, by path from the repository's root. */
export function projectDocuments(root: string): Map<string, string> {
  const docs = existsSync(join(root, 'docs'))
    ? (readdirSync(join(root, 'docs'), { recursive: true }) as string[])
        .filter((file) => file.endsWith('.md'))
        .map((file) => posix.join('docs', file.replaceAll('\\', '/')))
    : [];
  return new Map(['README.md', ...docs.sort()].map((file) => [file, readFileSync(join(root, file), 'utf8')]));
}

const METHOD = '(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)';
/** `PUT`, `PUT or PATCH`, `GET, PUT and DELETE` right before a path: the methods it names. */
const METHODS_BEFORE = new RegExp(`(?<![\\w-])(${METHOD}(?:(?:\\s*[,/]\\s*|,?\\s+(?:or|and)\\s+)${METHOD})*)\\s+$`);
/** A path at a word boundary, after an optional scheme and host; `{name}`, `<name>`, `$name` are placeholders. */
const PATH = /(?:(https?:\/\/[^\s/'"`<>()]+)|(?<![\w.~%}>$/:-]))\/[\w.~%{}<>$-]+(?:\/[\w.~%{}<>$-]*)*/g;
const PLACEHOLDER = /^(\{[^}]+\}|<[^>]+>|\$\{?\w+\}?|:\w+)$/;
const FLAG = /(?<![\w-])--([a-z][a-z0-9-]*)(?![\w-])/g;
const CONTEXT_OPTION = /(?<![\w-])(?:-c|--context)[\s=]+([A-Za-z][\w-]*(?:\/[A-Za-z][\w-]*)*)/g;
const ENVIRONMENT_NAME = /^[A-Z][A-Z0-9_]*$/;
const PROCESS_ENV = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g;
const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console', 'zsh', '']);
/** How docs write a context setting in general (`-c key=value`), not one in particular. */
const GENERIC_CONTEXT_KEY = 'key';

/**
 * Every link to a file or anchor that does not exist, every route, flag, npm script, CDK
 * context key and environment variable that the code does not have, and every reference to
 * the contract file users do not have, in the given docs. Links resolve against the docs given
 * first, then against the files below `root`.
 */
export function checkDocuments(documents: ReadonlyMap<string, string>, truth: CodeTruth, root: string): Finding[] {
  const trees = new Map<string, Root>();
  const treeOf = (file: string): Root | undefined => {
    if (!trees.has(file)) {
      const text = documents.get(file) ?? (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : '');
      trees.set(file, fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }));
    }
    return trees.get(file);
  };
  const findings: Finding[] = [];
  for (const [file, text] of documents) {
    const report = (line: number, message: string) => findings.push({ file, line, message });
    const check = new DocumentCheck(truth, report);
    for (const [index, line] of text.split('\n').entries()) {
      if (/\bCONTRACT\b/.test(line) || /contract\.md/i.test(line)) {
        report(index + 1, 'cites the contract, which users do not have: say the rule in our own words');
      }
    }
    const tree = treeOf(file) as Root;
    visit(tree, (node) => {
      const line = node.position?.start.line ?? 0;
      if (node.type === 'link' || node.type === 'image' || node.type === 'definition') {
        const problem = linkProblem(file, node.url, {
          root,
          documents,
          anchorsOf: (target) => anchorsOf(treeOf(target)),
        });
        if (problem) report(line, problem);
      } else if (node.type === 'code') {
        check.codeBlock(node);
      } else if (node.type === 'table') {
        check.table(node);
      } else if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'tableCell') {
        check.prose(node);
      }
    });
  }
  const unique = new Map(findings.map((finding) => [JSON.stringify(finding), finding]));
  return [...unique.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function visit(node: Nodes, visitor: (node: Nodes) => void): void {
  visitor(node);
  if ('children' in node) for (const child of node.children) visit(child, visitor);
}

/** The anchors of a Markdown file: its headings' slugs as GitHub makes them, and HTML ids. */
function anchorsOf(tree: Root | undefined): Set<string> {
  const anchors = new Set<string>();
  if (!tree) return anchors;
  const slugger = new GithubSlugger();
  visit(tree, (node) => {
    if (node.type === 'heading') anchors.add(slugger.slug(textOf(node as Heading, { includeHtml: false })));
    if (node.type === 'html')
      for (const match of node.value.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1] as string);
  });
  return anchors;
}

function linkProblem(
  file: string,
  url: string,
  files: { root: string; documents: ReadonlyMap<string, string>; anchorsOf: (file: string) => Set<string> },
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(url)) return undefined;
  const at = url.indexOf('#');
  const path = decodeURIComponent(at === -1 ? url : url.slice(0, at));
  const anchor = at === -1 ? undefined : decodeURIComponent(url.slice(at + 1));
  const target =
    path === '' ? file : posix.normalize(path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(file), path));
  if (target.startsWith('..')) return `links to ${url}, outside the repository`;
  const exists = files.documents.has(target) || existsSync(join(files.root, target));
  if (!exists) return `links to ${url}: there is no file ${target}`;
  if (anchor === undefined) return undefined;
  if (target.endsWith('.md')) {
    return files.anchorsOf(target).has(anchor) ? undefined : `links to ${url}: ${target} has no heading #${anchor}`;
  }
  const lines = /^L(\d+)(?:-L(\d+))?$/.exec(anchor);
  const text =
    files.documents.get(target) ??
    (statSync(join(files.root, target)).isFile() ? readFileSync(join(files.root, target), 'utf8') : '');
  if (lines && Number(lines[2] ?? lines[1]) <= text.split('\n').length) return undefined;
  return `links to ${url}: ${target} has no anchor #${anchor}`;
}

/** Text with the line each of its characters comes from. */
interface Located {
  text: string;
  lineAt(index: number): number;
}

function locatedCode(node: Code): Located {
  const first = (node.position?.start.line ?? 0) + 1;
  return { text: node.value, lineAt: (index) => first + (node.value.slice(0, index).match(/\n/g)?.length ?? 0) };
}

/** The text of a paragraph, heading or cell as a reader sees it, code spans included. */
function locatedProse(node: Nodes): Located {
  const pieces: { start: number; line: number }[] = [];
  let text = '';
  visit(node, (child) => {
    if (child.type === 'text' || child.type === 'inlineCode') {
      pieces.push({ start: text.length, line: child.position?.start.line ?? 0 });
      text += child.value;
    }
  });
  return {
    text,
    lineAt: (index) => {
      const piece = pieces.findLast((candidate) => candidate.start <= index);
      return piece ? piece.line + (text.slice(piece.start, index).match(/\n/g)?.length ?? 0) : 0;
    },
  };
}

type Word = string;

/** The simple commands of a shell text: words, split at operators, comments dropped. */
function commandsOf(source: string): Word[][] {
  const commands: Word[][] = [[]];
  let tokens: ReturnType<typeof parseShell>;
  try {
    // `<name>` is a placeholder in docs, not two redirections.
    tokens = parseShell(source.replace(/<([^<>\s]+)>/g, '$1'), (name) => `$${name}`);
  } catch {
    return [];
  }
  for (const token of tokens) {
    if (typeof token === 'string') commands.at(-1)?.push(token.replace(/^\[+|\]+$/g, ''));
    else if ('comment' in token) break;
    else if ('op' in token && token.op === 'glob') commands.at(-1)?.push(token.pattern);
    else commands.push([]);
  }
  return commands.filter((words) => words.length > 0);
}

class DocumentCheck {
  readonly #knownFlags: Set<string>;
  /** The first segment of every route and local document: `api`, `docs`. */
  readonly #routeRoots: Set<string>;

  constructor(
    private readonly truth: CodeTruth,
    private readonly report: (line: number, message: string) => void,
  ) {
    this.#knownFlags = new Set([...truth.entryFlags.values()].flatMap((flags) => [...flags]));
    this.#routeRoots = new Set(
      [...truth.routes.keys(), ...truth.localDocuments].map((route) => route.split('/')[1] as string),
    );
  }

  codeBlock(node: Code): void {
    const located = locatedCode(node);
    this.routesAndVariables(located);
    if (!SHELL_LANGUAGES.has(node.lang ?? '')) return;
    // A line ending in a backslash goes on on the next line.
    const lines = node.value.split('\n');
    const firstLine = (node.position?.start.line ?? 0) + 1;
    for (let index = 0; index < lines.length; index += 1) {
      const line = firstLine + index;
      let command = lines[index] as string;
      while (command.endsWith('\\') && index + 1 < lines.length) {
        index += 1;
        command = `${command.slice(0, -1)} ${lines[index]}`;
      }
      for (const words of commandsOf(command)) this.command(words, line, 'block');
    }
  }

  prose(node: Nodes): void {
    const located = locatedProse(node);
    this.routesAndVariables(located);
    visit(node, (child) => {
      const line = child.position?.start.line ?? 0;
      if (child.type === 'text') this.looseNames(child.value, line);
      if (child.type === 'inlineCode') for (const words of commandsOf(child.value)) this.command(words, line, 'inline');
    });
    // "the environment variable `NAME`", "`NAME` (environment variable)"
    const marked = markedText(node);
    for (const match of marked.matchAll(/environment variables? `([^`]+)`|`([^`]+)` \(?environment variable/g)) {
      this.environmentName(match[1] ?? (match[2] as string), located.lineAt(0));
    }
  }

  /** Tables whose column says what its cells name: context keys, environment variables. */
  table(node: Table): void {
    const [header, ...rows] = node.children;
    for (const [column, cell] of (header?.children ?? []).entries()) {
      const title = textOf(cell).trim().toLowerCase();
      const kind = title === 'context key' ? 'context' : /^(environment|variable)s?$/.test(title) ? 'environment' : '';
      if (!kind) continue;
      for (const row of rows) {
        const target = row.children[column];
        if (!target) continue;
        visit(target, (child) => {
          if (child.type !== 'inlineCode') return;
          const line = child.position?.start.line ?? 0;
          for (const name of child.value.split(/[\s,]+/).filter(Boolean)) {
            if (kind === 'context') this.contextKey(name, line);
            else this.environmentName(name.split('=')[0] as string, line);
          }
        });
      }
    }
  }

  /** Flags and `-c key=value` outside any command: they must be ours. */
  private looseNames(text: string, line: number): void {
    for (const [, name] of text.matchAll(FLAG)) {
      if (!this.#knownFlags.has(name as string)) this.report(line, `names --${name}, which no command of ours takes`);
    }
    for (const [, keys] of text.matchAll(CONTEXT_OPTION)) {
      for (const key of (keys as string).split('/')) this.contextKey(key, line);
    }
  }

  private command(words: Word[], line: number, where: 'block' | 'inline'): void {
    let start = 0;
    while (start < words.length && /^[A-Za-z_]\w*=/.test(words[start] as string)) start += 1;
    const exported = words[0] === 'export';
    // A bare assignment in a script is a shell variable, and so is one that captures a value
    // (`TOKEN=$(npm run token)`); a literal value before a command, exported, or written alone
    // in prose (`THROTTLE=off`) is a setting of the environment.
    if (exported || start < words.length || where === 'inline') {
      for (const word of exported ? words.slice(1) : words.slice(0, start)) {
        const [name, value] = word.split('=') as [string, string];
        if (!value.startsWith('$')) this.environmentName(name, line);
      }
    }
    const [program, ...args] = exported ? [] : words.slice(start);
    if (program === undefined) return;
    if (program.startsWith('-')) this.looseNames(words.join(' '), line);
    else if (program === 'npm') this.npm(args, line);
    else if (program === 'cdk' || (program === 'npx' && args[0] === 'cdk')) this.cdk(args, line);
    else if (['npx', 'node', 'tsx'].includes(program)) this.entryPoint(args, line);
  }

  /** `npx tsx bin/x.ts ...`, `node --import tsx bin/x.ts ...`: the flags after the script are its own. */
  private entryPoint(args: Word[], line: number): void {
    const script = args.find((arg) => /^bin\/.*\.ts$/.test(arg));
    if (script === undefined) return;
    const flags = this.truth.entryFlags.get(script);
    if (flags) this.flags(args.slice(args.indexOf(script) + 1), flags, script, line);
    else this.report(line, `runs ${script}, which is not one of our entry points`);
  }

  /** `npm start -- ...`, `npm run <script> -- ...`: the flags after `--` go to the script's entry point. */
  private npm(args: Word[], line: number): void {
    const options = args.findIndex((arg) => !arg.startsWith('-'));
    const subcommand = args[options];
    const run = subcommand === 'run' || subcommand === 'run-script';
    const name = run ? args[options + 1] : subcommand;
    if (!run && name !== 'start' && name !== 'test') return;
    if (name === undefined || !this.truth.scripts.has(name)) {
      this.report(line, `runs npm script ${name}, which package.json does not have`);
      return;
    }
    const rest = args.slice(options + (run ? 2 : 1));
    const separator = rest.indexOf('--');
    for (const early of (separator === -1 ? rest : rest.slice(0, separator)).filter((arg) => arg.startsWith('-'))) {
      this.report(line, `passes ${early} to npm, not to ${name}: put it after --`);
    }
    const entry = this.truth.scripts.get(name);
    if (entry && separator !== -1) {
      this.flags(rest.slice(separator + 1), this.truth.entryFlags.get(entry) ?? new Set(), `npm run ${name}`, line);
    }
  }

  private cdk(args: Word[], line: number): void {
    for (const [index, arg] of args.entries()) {
      const context = arg === '-c' || arg === '--context' ? args[index + 1] : /^--context=(.*)$/.exec(arg)?.[1];
      if (context) this.contextKey(context.split('=')[0] as string, line);
    }
  }

  private flags(args: Word[], flags: Set<string>, command: string, line: number): void {
    for (const arg of args) {
      if (!arg.startsWith('-') || /^-\d/.test(arg) || arg === '--') continue;
      const name = arg.replace(/^--?/, '').split('=')[0] as string;
      if (!flags.has(name)) this.report(line, `passes ${arg.split('=')[0]} to ${command}, which does not take it`);
    }
  }

  private contextKey(key: string, line: number): void {
    if (key !== GENERIC_CONTEXT_KEY && !this.truth.contextKeys.has(key)) {
      this.report(line, `names the context key ${key}, which the CDK app does not read`);
    }
  }

  private environmentName(name: string, line: number): void {
    if (ENVIRONMENT_NAME.test(name) && !this.truth.environment.has(name)) {
      this.report(line, `names the environment variable ${name}, which the code does not read`);
    }
  }

  /** Routes, and the environment variables named as `process.env.NAME`. */
  private routesAndVariables(located: Located): void {
    this.routes(located);
    for (const match of located.text.matchAll(PROCESS_ENV)) {
      this.environmentName(match[1] ?? (match[2] as string), located.lineAt(match.index));
    }
  }

  /** Each path of the API or the local server, with the methods named before it. */
  private routes({ text, lineAt }: Located): void {
    const staged = text.replaceAll('<ApiUrl>', `/${this.truth.stage}/`);
    for (const match of staged.matchAll(PATH)) {
      const path = (match[0].slice(match[1]?.length ?? 0) as string).replace(/[.,:]+$/, '');
      const methods = METHODS_BEFORE.exec(staged.slice(0, match.index))?.[1]?.match(new RegExp(METHOD, 'g')) ?? [];
      const problem = this.routeProblem(path, methods);
      if (problem) this.report(lineAt(Math.min(match.index, text.length - 1)), problem);
    }
  }

  private routeProblem(path: string, methods: string[]): string | undefined {
    const segments = path.split('/').slice(1);
    if (segments.length > 1 && segments.at(-1) === '') segments.pop();
    const routeAt = segments.findIndex((segment) => this.#routeRoots.has(segment));
    if (routeAt === -1) return undefined;
    const prefix = segments.slice(0, routeAt).join('/');
    if (prefix !== '' && prefix !== this.truth.stage)
      return `names ${path}: routes sit below /${this.truth.stage} or at the root, not below /${prefix}`;
    const rest = `/${segments.slice(routeAt).join('/')}`;
    const named = `${methods.length > 0 ? `${methods.join(' or ')} ` : ''}${path}`;
    if (this.truth.localDocuments.has(rest)) {
      if (prefix !== '') return `names ${named}: the local server serves ${rest}, the deployed API does not`;
      return methods.some((method) => method !== 'GET') ? `names ${named}: ${rest} is answered to GET only` : undefined;
    }
    const given = rest.split('/');
    const templates = [...this.truth.routes.keys()]
      .map((route) => route.split('/'))
      .filter(
        (template) =>
          template.length === given.length &&
          template.every((part, index) => part.startsWith('{') || part === given[index]),
      );
    const route = templates
      .find((template) => template.every((part, index) => !part.startsWith('{') || this.fitsParameter(given[index])))
      ?.join('/');
    if (route === undefined) {
      // A proxy's path pattern (`/api/*`, `location /api/`): a prefix that routes sit below.
      if (path.endsWith('/') && methods.length === 0 && this.isPrefixOfRoutes(rest)) return undefined;
      const template = templates[0];
      if (!template) return `names ${named}, which no route of the API serves`;
      const index = template.findIndex((part, at) => part.startsWith('{') && !this.fitsParameter(given[at]));
      return `names ${named} with ${given[index]} for ${template[index]}: use a placeholder or an id of the demo data`;
    }
    const served = this.truth.routes.get(route) as Set<string>;
    const missing = methods.filter((method) => !served.has(method));
    return missing.length > 0 ? `names ${named}, but ${route} serves only ${[...served].join(', ')}` : undefined;
  }

  private isPrefixOfRoutes(prefix: string): boolean {
    return [...this.truth.routes.keys()].some((route) => route.startsWith(`${prefix}/`));
  }

  /** A path parameter in an example: a placeholder, or an id that the demo data has. */
  private fitsParameter(segment: string | undefined): boolean {
    return segment !== undefined && (PLACEHOLDER.test(segment) || this.truth.exampleIds.has(segment));
  }
}

/** Prose with its code spans in backticks, to find words next to a code span. */
function markedText(node: Nodes): string {
  if (node.type === 'inlineCode') return `\`${node.value}\``;
  if (node.type === 'text') return node.value;
  return 'children' in node ? node.children.map((child) => markedText(child)).join('') : '';
}
