import { describe, expect, it } from '@jest/globals';
import { employeeSchema, type HrEvent } from '../../../events/index.ts';
import { DefinitionTypeChecker, EMPLOYEE_FIELDS, eventContext, evaluate, renderTemplate } from '../../../dsl/index.ts';
import { templateParts } from '../../../dsl/expressions.ts';

const hire: HrEvent = {
  id: 'evt_1',
  type: 'employee.hired',
  occurredAt: '2026-11-20T10:00:00Z',
  source: 'generic',
  employee: { id: 'E-1', email: 'ada@example.com', department: 'Research', startDate: '2026-12-01', manager: { email: 'grace@example.com' } },
};

describe('the expression context', () => {
  it('lists exactly the employee fields of the HrEvent schema', () => {
    expect([...EMPLOYEE_FIELDS].sort()).toEqual(Object.keys(employeeSchema.shape).sort());
  });

  it('gives fields the event left out as null, so conditions can test them', () => {
    const context = eventContext(hire, { projects: { Research: 'proj_r' } });
    expect(context.employee.title).toBeNull();
    expect(evaluate('employee.title == null && employee.department != null', context)).toBe(true);
    expect(evaluate('vars.projects[employee.department]', context)).toBe('proj_r');
    expect(evaluate('employee.manager.email', context)).toBe('grace@example.com');
  });

  it('renders templates: a whole template keeps its type, text interpolates', () => {
    const context = eventContext(hire, {}, { ask: { output: { approved: true, n: 2 } } });
    expect(renderTemplate({ a: '${{ steps.ask.output.approved }}', b: 'n=${{ steps.ask.output.n }} for ${{ employee.email }}', c: ['${{ 1 + 2 }}'] }, context)).toEqual({
      a: true,
      b: 'n=2 for ada@example.com',
      c: [3],
    });
  });

  it('finds each template with where its expression starts', () => {
    expect(templateParts('hi ${{ employee.email }} and ${{employee.id}}')).toEqual([
      { expression: 'employee.email', index: 7, whole: false },
      { expression: 'employee.id', index: 32, whole: false },
    ]);
    expect(templateParts('${{ employee.email }}')).toEqual([{ expression: 'employee.email', index: 4, whole: true }]);
  });
});

describe('type-checking expressions', () => {
  const checker = new DefinitionTypeChecker({
    trigger: 'event',
    steps: [
      { id: 'invite', kind: 'action' },
      { id: 'ask-boss', kind: 'approval' },
      { id: 'pause', kind: 'wait' },
      { id: 'later', kind: 'action' },
    ],
    vars: ['projects'],
  });
  const visible = new Set(['invite', 'ask-boss', 'pause']);
  const check = (expression: string, expected: 'bool' | 'string' | 'any' = 'bool') => checker.check(expression, visible, expected);

  it.each([
    'employee.department in ["Engineering", "Research"] && employee.employmentType != "intern"',
    'employee.manager != null && employee.manager.email.endsWith("@example.com")',
    'has(changes.department) && changes.department.to == "Sales"',
    'steps["ask-boss"].output.approved && !steps["ask-boss"].output.timedOut',
    'steps.invite.output.status == "pending"',
    'steps.pause.output.until > event.occurredAt',
    'employee.department in vars.projects',
    'event.type == "employee.hired"',
  ])('accepts %s', (expression) => {
    expect(check(expression)).toBeUndefined();
  });

  it.each([
    ['person.email == "x"', /unknown variable 'person'/, 0],
    ['employee.departmnt == "x"', /unknown field 'departmnt'/, 9],
    ['steps.invitee.output.x', /unknown step 'invitee'/, 0],
    ['steps.later.output.x', /has not run yet/, 0],
    ['steps.ask-boss.output.approved', /unknown step 'ask'/, 0],
    ['vars.project["x"] == "y"', /unknown var 'project'/, 0],
    ['employee.email + 1 == 2', /no such overload/, 0],
    ['employee.email', /must give true or false/, 0],
    ['employee.email ==', /Unexpected token/, 17],
    ['${{ employee.email == "x" }}', /CEL already/, 0],
  ])('rejects %s', (expression, message, offset) => {
    const issue = check(expression);
    expect(issue?.message).toMatch(message);
    expect(issue?.offset).toBe(offset);
  });

  it('hints at the likely fix', () => {
    expect(check('employee.departmnt == "x"')?.hint).toBe('did you mean department?');
    expect(check('steps.ask-boss.output.approved')?.hint).toBe('a step id with dashes is read as steps["ask-boss"]');
    expect(check('emplyee.id == "x"')?.hint).toBe('did you mean employee?');
  });

  it('checks the type a place needs', () => {
    expect(check('employee.startDate', 'string')).toBeUndefined();
    expect(check('steps["ask-boss"].output.approved', 'string')?.message).toMatch(/must give a string/);
    expect(check('[1, 2]', 'any')).toBeUndefined();
  });

  it('knows a scheduled run is about a person but not about a change', () => {
    const scheduled = new DefinitionTypeChecker({ trigger: 'schedule', steps: [], vars: [] });
    expect(scheduled.check('changes.department.to == "x"', new Set(), 'bool')?.message).toMatch(/has no changes/);
    expect(scheduled.check('employee.email == "x"', new Set(), 'bool')).toBeUndefined();
    expect(scheduled.check('event.occurredAt != ""', new Set(), 'bool')).toBeUndefined();
  });

  it('lists the steps an expression reads', () => {
    expect(checker.stepReferences('steps.invite.output.x && steps["ask-boss"].output.approved')).toEqual(['invite', 'ask-boss']);
  });
});
