import ts from 'typescript';

/**
 * Members of core's kit that exist only to publish or record lifecycle events. A build
 * without event code still declares them (esbuild keeps every class member), but nothing
 * outside them may use them: their bodies are skipped, and any use of their names elsewhere
 * is event code.
 */
export const EVENT_ONLY_MEMBERS: readonly string[] = [
  'openEventWindow',
  'listeners',
  'publishStep',
  'publishSuspend',
  'publishWake',
  'publishSettle',
  'recordFinish',
  'recordWokenStep',
  'stepWokenListened',
  'closeTurnBound',
];

/**
 * Names that are event code wherever the kit uses them: the event-only members, the event
 * log, the state of the wake callbacks' event windows, and the events modules' publishers,
 * channels and record codes. `Listening` flags other than `Nobody` count too.
 */
const EVENT_NAMES: ReadonlySet<string> = new Set([
  ...EVENT_ONLY_MEMBERS,
  'eventLog',
  'turnListening',
  'quietSlice',
  'wokenHere',
  'publishSpawn',
  'publishTaskEvent',
  'publishTaskEventObject',
  'wantsObjects',
  'batchChannel',
  'channels',
  'TaskEventCode',
  'eventTime',
]);

/** One use of event code in a build: the source module esbuild says it came from, where in it, and the name used. */
export interface EventReference {
  /** Core's source module, as esbuild's module comment names it (`src/kit/harness.ts`). */
  readonly module: string;
  /** `Class.member`, a function's name, or `(module)` for top-level code. */
  readonly member: string;
  readonly name: string;
}

/** esbuild's comment before each module's code in a bundle. */
const MODULE_COMMENT = /^\/\/ (src\/\S+\.[cm]?[jt]s)$/gm;

/** The module each stretch of `text` came from: positions where a module's code starts, in order. */
function moduleStarts(text: string): { readonly at: number; readonly module: string }[] {
  return [...text.matchAll(MODULE_COMMENT)].map((match) => ({ at: match.index, module: match[1] ?? '' }));
}

/** The name of a class: its own, or the variable esbuild assigns a class expression to. */
function className(node: ts.ClassLikeDeclaration): string {
  if (node.name !== undefined) return node.name.text;
  const parent = node.parent;
  return ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : '(class)';
}

/** Where `node` is: its class member (`Class.member`), its top-level function, or `(module)`. */
function enclosingMember(node: ts.Node): { readonly member: string; readonly eventOnly: boolean } {
  let functionName: string | undefined;
  for (let at: ts.Node = node; !ts.isSourceFile(at); at = at.parent) {
    const parent = at.parent;
    if (ts.isClassLike(parent) && ts.isClassElement(at)) {
      const name = at.name === undefined ? '(constructor)' : at.name.getText();
      return { member: `${className(parent)}.${ts.isConstructorDeclaration(at) ? 'constructor' : name}`, eventOnly: EVENT_ONLY_MEMBERS.includes(name) };
    }
    if (ts.isFunctionDeclaration(at) && at.name !== undefined) functionName ??= at.name.text;
  }
  return { member: functionName ?? '(module)', eventOnly: false };
}

/** Whether `node`, an identifier, names something being declared, imported or exported rather than used. */
function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return true;
  // An object literal's key (`{ eventLog: … }`); a shorthand key (`{ channels }`) is a use.
  if (ts.isPropertyAssignment(parent)) return parent.name === node;
  const declares = ts.isClassElement(parent) || ts.isFunctionDeclaration(parent) || ts.isVariableDeclaration(parent) || ts.isParameter(parent);
  return declares && parent.name === node;
}

/** Whether `node` is `x.name` assigned to (`this.eventLog = new TaskEventLog(…)`): declaring a field, not using it. */
function isAssignedTo(node: ts.Node): boolean {
  const parent = node.parent;
  return ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** `node` as a constant condition: `true` or `false` (as esbuild writes a folded `__SPINDLE_EVENTS__`), else `undefined`. */
function constant(node: ts.Expression): boolean | undefined {
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  return node.kind === ts.SyntaxKind.FalseKeyword ? false : undefined;
}

/** Whether `statement` never completes normally: it returns or throws on every path (as far as constants tell). */
function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) return statement.statements.some(alwaysExits);
  if (ts.isIfStatement(statement)) {
    const condition = constant(statement.expression);
    const otherwise = statement.elseStatement;
    if (condition === true) return alwaysExits(statement.thenStatement);
    if (condition === false) return otherwise !== undefined && alwaysExits(otherwise);
    return alwaysExits(statement.thenStatement) && otherwise !== undefined && alwaysExits(otherwise);
  }
  return false;
}

/**
 * The children of `node` that can run, as a build without minification writes constant
 * conditions: `if (false) …` keeps only its `else`, `if (true) …` only its `then`,
 * `false && …`, `true || …` and `c ? … : …` on a constant lose their dead side, and the
 * statements of a block after one that always returns or throws are dead (function
 * declarations, hoisted, stay). V8 generates no bytecode for any of these.
 */
function liveChildren(node: ts.Node): readonly ts.Node[] {
  if (ts.isIfStatement(node)) {
    const condition = constant(node.expression);
    if (condition === true) return [node.thenStatement];
    if (condition === false) return node.elseStatement === undefined ? [] : [node.elseStatement];
  } else if (ts.isConditionalExpression(node)) {
    const condition = constant(node.condition);
    if (condition !== undefined) return [condition ? node.whenTrue : node.whenFalse];
  } else if (ts.isBinaryExpression(node)) {
    const left = constant(node.left);
    const operator = node.operatorToken.kind;
    if ((left === false && operator === ts.SyntaxKind.AmpersandAmpersandToken) || (left === true && operator === ts.SyntaxKind.BarBarToken)) return [];
  } else if (ts.isBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) {
    const exit = node.statements.findIndex(alwaysExits);
    if (exit >= 0) return [...node.statements.slice(0, exit + 1), ...node.statements.slice(exit + 1).filter(ts.isFunctionDeclaration)];
  }
  const children: ts.Node[] = [];
  ts.forEachChild(node, (child) => {
    children.push(child);
  });
  return children;
}

/**
 * Every use of event code in the kit's part of a build of core (the modules under
 * `src/kit/`, found by the comments esbuild puts before each module's code), outside the
 * bodies of {@link EVENT_ONLY_MEMBERS} and outside dead code (see {@link liveChildren}). A
 * build with `__SPINDLE_EVENTS__` false has none: its steps, wakes, drains, spawns and
 * settlements never reach the event machinery, and the members that would are left with
 * no caller.
 * @param files the build's JavaScript files, by name
 */
export function eventCodeInKit(files: ReadonlyMap<string, string>): EventReference[] {
  const found: EventReference[] = [];
  for (const [fileName, text] of files) {
    const starts = moduleStarts(text);
    const moduleAt = (position: number): string => starts.findLast((start) => start.at <= position)?.module ?? '(none)';
    const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const note = (node: ts.Node, name: string): void => {
      const module = moduleAt(node.getStart(source));
      if (!module.startsWith('src/kit/')) return;
      const { member, eventOnly } = enclosingMember(node);
      if (!eventOnly) found.push({ module, member, name });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
      if (ts.isIdentifier(node) && EVENT_NAMES.has(node.text) && !isDeclarationName(node)) {
        const use = ts.isPropertyAccessExpression(node.parent) && node.parent.name === node ? node.parent : node;
        if (!isAssignedTo(use)) note(node, node.text);
      } else if (ts.isPropertyAccessExpression(node) && node.expression.getText(source) === 'Listening' && node.name.text !== 'Nobody') {
        note(node, node.getText(source));
      }
      for (const child of liveChildren(node)) visit(child);
    };
    visit(source);
  }
  return found;
}

/** The kit's modules that step, wake, drain, spawn and settle: each has event code when it is compiled in. */
export const STEPPING_MODULES: readonly string[] = ['src/kit/harness.ts', 'src/kit/sliced-harness.ts', 'src/kit/executor-shell.ts', 'src/kit/task.ts'];

/** What {@link checkEventSwitch} found wrong with a pair of builds. */
export class EventSwitchError extends Error {
  override readonly name = 'EventSwitchError';
}

const describeReferences = (references: readonly EventReference[]): string =>
  references
    .slice(0, 8)
    .map(({ module, member, name }) => `${name} in ${member} (${module})`)
    .join(', ');

/**
 * Checks that two builds of core differ by their event code, so that a comparison of them
 * cannot silently measure two equal builds: the one built without events has none left in
 * its kit ({@link eventCodeInKit}), and the one built with events has some in each of the
 * {@link STEPPING_MODULES}.
 * @param withEvents the JavaScript files of core built with `__SPINDLE_EVENTS__` true, by name
 * @param withoutEvents the same, built with it false
 * @throws EventSwitchError when either is not so
 */
export function checkEventSwitch(withEvents: ReadonlyMap<string, string>, withoutEvents: ReadonlyMap<string, string>): void {
  const left = eventCodeInKit(withoutEvents);
  if (left.length > 0) {
    throw new EventSwitchError(`core built with __SPINDLE_EVENTS__ false still has event code in its kit: ${describeReferences(left)}`);
  }
  const present = new Set(eventCodeInKit(withEvents).map((reference) => reference.module));
  const missing = STEPPING_MODULES.filter((module) => !present.has(module));
  if (missing.length > 0) {
    throw new EventSwitchError(`core built with __SPINDLE_EVENTS__ true shows no event code in ${missing.join(', ')}: the scan cannot tell the two builds apart`);
  }
}
