/**
 * The cost budget of an expression: an upper bound of the work evaluating it can take,
 * computed from its syntax tree and the sizes of the values it reads, before it runs.
 * Pure and deterministic (step counting, never wall time), so workflow code may use it:
 * the same expression over the same values is over budget on every replay or on none.
 *
 * At load the sizes are the largest the event schema lets in (and the definition's own
 * `vars`); at run time they are the sizes of the values really there.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

/** Units of work an expression may cost: about one node evaluated or one character compared each. */
export const EXPRESSION_BUDGET = 1_000_000;

/**
 * How large a value may be: characters of a string, elements of a list, entries of a map;
 * `item` is the shape of its elements (or values). An `open` shape is one whose parts are
 * as large as itself, at any depth (a value of unknown structure).
 */
export interface Shape {
  size: number;
  item?: Shape;
  open?: boolean;
}

const SCALAR: Shape = { size: 1 };
/** Deeper than this, shapes are summarised as open ones: bounded work, still an upper bound. */
const MAX_DEPTH = 8;

/** A value nothing is known of but its largest size: a list or map of `size` parts, each of at most `size`. */
export function unknownShape(size: number): Shape {
  return { size, open: true };
}

function itemOf(shape: Shape): Shape {
  return shape.item ?? (shape.open ? shape : SCALAR);
}

/** The smallest shape at least as large as both. */
export function widest(a: Shape, b: Shape, depth = 0): Shape {
  const size = Math.max(a.size, b.size);
  const open = a.open === true || b.open === true;
  if (depth >= MAX_DEPTH) return { size, open: true };
  if (a.item === undefined && b.item === undefined) return open ? { size, open } : { size };
  return { size, item: widest(itemOf(a), itemOf(b), depth + 1), ...(open ? { open } : {}) };
}

/** The shape of an actual value (what the run's expressions will really read). */
export function measure(value: unknown, depth = 0): Shape {
  if (typeof value === 'string') return { size: value.length };
  if (value === null || typeof value !== 'object') return SCALAR;
  const parts: unknown[] = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  const size = Math.max(1, parts.length);
  if (depth >= MAX_DEPTH) return { size: Math.max(size, JSON.stringify(value)?.length ?? 1), open: true };
  let item: Shape | undefined;
  for (const part of parts) item = item ? widest(item, measure(part, depth + 1)) : measure(part, depth + 1);
  return item ? { size, item } : { size };
}

/** The shape of a map whose named fields have the given shapes. */
export function recordShape(fields: Record<string, Shape>): Shape {
  const shapes = Object.values(fields);
  let item: Shape | undefined;
  for (const shape of shapes) item = item ? widest(item, shape) : shape;
  return item ? { size: Math.max(1, shapes.length), item } : { size: 1 };
}

type Scope = ReadonlyMap<string, Shape>;
interface Cost {
  cost: number;
  shape: Shape;
}

const COMPREHENSIONS = new Set(['map', 'filter', 'all', 'exists', 'exists_one']);

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/**
 * An upper bound of the cost of evaluating `ast` where the variables have the shapes in
 * `scope`. Comprehensions multiply their body's cost by the size of what they range over,
 * string operations cost their strings' lengths, a regular expression the product of the
 * text's and the pattern's lengths (RE2 is linear in each).
 */
export function expressionCost(ast: ASTNode, scope: Scope): number {
  return costOf(ast, scope, 0).cost;
}

/** Deeper trees than this are not worth their cost: unbounded, so over any budget (and no stack is exhausted measuring them). */
const MAX_TREE_DEPTH = 400;
const UNBOUNDED: Cost = { cost: Infinity, shape: { size: Infinity, open: true } };

function costOf(node: ASTNode, scope: Scope, depth: number): Cost {
  if (depth > MAX_TREE_DEPTH) return UNBOUNDED;
  const next = depth + 1;
  const all = (nodes: readonly unknown[], within: Scope = scope): Cost[] => nodes.filter(isNode).map((n) => costOf(n, within, next));
  const sum = (parts: Cost[]) => parts.reduce((total, part) => total + part.cost, 1);
  const widestOf = (parts: Cost[]): Shape => parts.reduce<Shape>((shape, part) => widest(shape, part.shape), { size: 0 });
  switch (node.op) {
    case 'value':
      return { cost: 1, shape: typeof node.args === 'string' ? { size: node.args.length } : SCALAR };
    case 'id':
      return { cost: 1, shape: scope.get(node.args) ?? unknownShape(1) };
    case '.':
    case '.?': {
      const target = costOf(node.args[0], scope, next);
      return { cost: target.cost + 1, shape: itemOf(target.shape) };
    }
    case '[]':
    case '[?]': {
      const [target, index] = all(node.args);
      return { cost: (target?.cost ?? 0) + (index?.cost ?? 0) + 1, shape: target ? itemOf(target.shape) : SCALAR };
    }
    case 'list': {
      const items = all(node.args);
      return { cost: sum(items), shape: items.length ? { size: items.length, item: widestOf(items) } : { size: 0 } };
    }
    case 'map': {
      const entries = node.args.map(([key, value]) => [costOf(key, scope, next), costOf(value, scope, next)] as const);
      const values = entries.map(([, value]) => value);
      return { cost: sum([...entries.map(([key]) => key), ...values]), shape: values.length ? { size: values.length, item: widestOf(values) } : { size: 0 } };
    }
    case '?:': {
      const [condition, then, otherwise] = all(node.args) as [Cost, Cost, Cost];
      return { cost: condition.cost + Math.max(then.cost, otherwise.cost) + 1, shape: widest(then.shape, otherwise.shape) };
    }
    case 'call':
      return callCost(node.args[0], undefined, node.args[1], scope, next);
    case 'rcall':
      return callCost(node.args[0], node.args[1], node.args[2], scope, next);
    default: {
      const operands = all(Array.isArray(node.args) ? node.args : [node.args]);
      const [left, right] = operands;
      if (node.op === '+' && left && right) {
        // Concatenation copies both sides.
        const shape: Shape = { size: left.shape.size + right.shape.size, ...(left.shape.item || right.shape.item ? { item: widest(itemOf(left.shape), itemOf(right.shape)) } : {}) };
        return { cost: sum(operands) + shape.size, shape };
      }
      // Comparisons walk both sides; `in` walks the list.
      const walked = ['==', '!=', '<', '<=', '>', '>=', 'in'].includes(node.op) ? Math.max(0, ...operands.map((o) => o.shape.size)) : 0;
      return { cost: sum(operands) + walked, shape: SCALAR };
    }
  }
}

function callCost(name: string, receiver: ASTNode | undefined, args: readonly ASTNode[], scope: Scope, depth: number): Cost {
  const variable = args[0]?.op === 'id' ? args[0].args : undefined;
  if (receiver && variable !== undefined && COMPREHENSIONS.has(name) && args.length >= 2) {
    const range = costOf(receiver, scope, depth);
    const inner = new Map(scope).set(variable, itemOf(range.shape));
    const bodies = args.slice(1).map((arg) => costOf(arg, inner, depth));
    const perItem = bodies.reduce((total, body) => total + body.cost, 1);
    const cost = range.cost + range.shape.size * perItem;
    const last = bodies.at(-1) as Cost;
    if (name === 'map') return { cost, shape: { size: range.shape.size, item: last.shape } };
    if (name === 'filter') return { cost, shape: range.shape };
    return { cost, shape: SCALAR };
  }
  if (receiver?.op === 'id' && receiver.args === 'cel' && name === 'bind' && variable !== undefined && args.length === 3) {
    const value = costOf(args[1] as ASTNode, scope, depth);
    const body = costOf(args[2] as ASTNode, new Map(scope).set(variable, value.shape), depth);
    return { cost: value.cost + body.cost + 1, shape: body.shape };
  }
  const target = receiver ? costOf(receiver, scope, depth) : undefined;
  const operands = args.map((arg) => costOf(arg, scope, depth));
  const base = operands.reduce((total, part) => total + part.cost, 1 + (target?.cost ?? 0));
  const text = target?.shape.size ?? operands[0]?.shape.size ?? 1;
  switch (name) {
    case 'has':
    case 'size':
      return { cost: base, shape: SCALAR };
    case 'matches':
      return { cost: base + text * Math.max(1, operands.at(-1)?.shape.size ?? 1), shape: SCALAR };
    case 'split':
      return { cost: base + text, shape: { size: text + 1, item: { size: text } } };
    case 'join': {
      const list = target?.shape ?? SCALAR;
      const size = list.size * (itemOf(list).size + (operands[0]?.shape.size ?? 0));
      return { cost: base + size, shape: { size } };
    }
    case 'json':
      return { cost: base + text, shape: unknownShape(text) };
    default: {
      // Any other function reads its arguments once and gives nothing larger than them.
      const parts = [...(target ? [target] : []), ...operands];
      const shape = parts.reduce<Shape>((widestSoFar, part) => widest(widestSoFar, part.shape), { size: 1 });
      return { cost: base + parts.reduce((total, part) => total + part.shape.size, 0), shape };
    }
  }
}
