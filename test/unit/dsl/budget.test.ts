// Expressions with a budget: RE2 for `matches` (linear time, RE2 syntax), a cost bound
// checked at load, and the same bound checked over the real values before evaluating.
import { describe, expect, it } from '@jest/globals';
import type { HrEvent } from '../../../events/index.ts';
import { eventContext, evaluate, evaluateCondition, ExpressionBudgetError, loadDefinitionText } from '../../../dsl/index.ts';

const hire = (title: string): HrEvent => ({
  id: 'evt_1',
  type: 'employee.hired',
  occurredAt: '2026-11-20T10:00:00Z',
  source: 'generic',
  employee: { id: 'E-1', email: 'ada@example.com', title },
});

const definition = (condition: string, vars = '') => `name: budget
${vars}on:
  event: employee.hired
  if: ${condition}
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}" }
`;

describe('matches', () => {
  it('runs the catastrophic-backtracking pattern in linear time (RE2), and the definition loads', () => {
    expect(loadDefinitionText(definition('employee.title.matches("^(a+)+$")'), 'redos.yaml').problems).toEqual([]);
    const started = performance.now();
    // JavaScript's RegExp takes minutes on 30 a's and a '!'; RE2 answers at once, for 200 too.
    expect(evaluateCondition('employee.title.matches("^(a+)+$")', eventContext(hire(`${'a'.repeat(200)}!`)))).toBe(false);
    expect(evaluateCondition('employee.title.matches("^(a+)+$")', eventContext(hire('a'.repeat(200))))).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('is a search (unanchored) with RE2 syntax', () => {
    const context = eventContext(hire('Senior Engineer 2'));
    expect(evaluate('employee.title.matches("Engineer")', context)).toBe(true);
    expect(evaluate('employee.title.matches("\\\\d$")', context)).toBe(true);
    expect(evaluate('employee.title.matches("(?i)senior")', context)).toBe(true);
    expect(evaluate('matches(employee.title, "^Junior")', context)).toBe(false);
  });

  it('refuses at load a literal pattern RE2 cannot compile, at the pattern', () => {
    const { problems } = loadDefinitionText(definition('employee.title.matches("(a)\\\\1")'), 'backref.yaml');
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['BAD_REGEX 4:30']);
  });

  it('fails to evaluate, visibly, a computed pattern RE2 cannot compile', () => {
    expect(() => evaluate('employee.title.matches(employee.title)', eventContext(hire('(?<=x)y')))).toThrow(/invalid|error parsing/i);
  });
});

describe('the cost budget', () => {
  const hundred = `vars:\n  xs: [${Array.from({ length: 100 }, (_, i) => i).join(', ')}]\n`;
  const fourMaps = 'vars.xs.map(a, vars.xs.map(b, vars.xs.map(c, vars.xs.map(d, a + b + c + d)))).size() > 0';

  it('refuses four nested maps over 100-element lists at load, at the expression', () => {
    const { problems } = loadDefinitionText(definition(fourMaps, hundred), 'maps.yaml');
    expect(problems.map((p) => `${p.code} ${p.line}:${p.col}`)).toEqual(['EXPRESSION_BUDGET 6:7']);
  });

  it('accepts two nested maps over them', () => {
    expect(loadDefinitionText(definition('vars.xs.map(a, vars.xs.map(b, a + b)).size() > 0', hundred), 'two.yaml').problems).toEqual([]);
  });

  it('stops an expression over budget on the values at hand before evaluating it, the same way every time', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const context = eventContext(hire('x'), { xs });
    const started = performance.now();
    for (let i = 0; i < 3; i++) expect(() => evaluate(fourMaps, context)).toThrow(ExpressionBudgetError);
    expect(performance.now() - started).toBeLessThan(1000);
    // Over small values the same expression is within budget.
    expect(evaluate(fourMaps, eventContext(hire('x'), { xs: [1, 2, 3] }))).toBe(true);
  });

  it('counts string building: a split of a long title mapped over itself', () => {
    const expression = "employee.title.split('').map(a, employee.title.split('').map(b, a + b).join()).join().size() > 0";
    expect(evaluate(expression, eventContext(hire('abc')))).toBe(true);
    expect(() => evaluate(expression, eventContext(hire('x'.repeat(200))))).toThrow(ExpressionBudgetError);
  });
});
