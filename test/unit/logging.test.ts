import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { Secret } from '../../config/index.ts';
import { chooseLogFormat, createLogger, maskEmail, maskEmails, type LogFormat } from '../../logging/index.ts';
import { memoryLogger } from '../helpers/logger.ts';

describe('personal data in the JSON logs', () => {
  it('masks an address to its first character and domain, and leaves what is not an address alone', () => {
    expect(maskEmail('ada.lovelace@example.com')).toBe('a•••@example.com');
    expect(maskEmail('it-onboarding')).toBe('it-onboarding');
    expect(maskEmail('@example.com')).toBe('@example.com');
    expect(maskEmails('invite for ada@example.com failed; grace.hopper@corp.example.org is the manager')).toBe('invite for a•••@example.com failed; g•••@corp.example.org is the manager');
  });

  it('at info and above, masks every address in messages, fields and errors; debug keeps them; secrets stay redacted', () => {
    const { logger, lines } = memoryLogger();
    const error = Object.assign(new Error('OpenAI answered 400: ada@example.com is not a valid invitee'), { code: 'OPENAI_REJECTED' });
    logger.info({ target: 'ada@example.com', steps: [{ approvers: ['grace@example.com'] }], adminKey: new Secret('sk-admin-1234'), runId: 'onboard/E-1/evt_1' }, 'invited ada@example.com');
    logger.warn({ err: error }, 'step failed');
    logger.error(error, 'run failed');
    logger.debug({ text: 'New hire ada@example.com' }, 'notification text');
    const [info, warn, failed, debug] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(info).toMatchObject({ msg: 'invited a•••@example.com', target: 'a•••@example.com', steps: [{ approvers: ['g•••@example.com'] }], adminKey: '[redacted]', runId: 'onboard/E-1/evt_1' });
    expect(warn).toMatchObject({ err: { type: 'Error', message: 'OpenAI answered 400: a•••@example.com is not a valid invitee' } });
    expect(JSON.stringify(failed)).toContain('OPENAI_REJECTED');
    for (const line of lines.slice(0, 3)) {
      expect(line).not.toContain('ada@example.com');
      expect(line).not.toContain('grace@example.com');
    }
    expect(debug).toMatchObject({ text: 'New hire ada@example.com' });
  });
});

describe('log format', () => {
  /** A logger in `format`, its output kept in memory as text. */
  function capture(options: { level: string; format: LogFormat }) {
    let text = '';
    const destination = { write: (chunk: string) => void (text += chunk) };
    return { logger: createLogger({ ...options, colorize: false, destination }), text: () => text };
  }
  const failure = () => Object.assign(new Error('OpenAI answered 503 for ada@example.com'), { code: 'OPENAI_UNAVAILABLE' });

  it('is readable on a terminal and JSON otherwise, unless asked for by name; an unknown name lists the valid ones', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
    expect(() => chooseLogFormat('yaml', true)).toThrow(/auto, json, pretty/);
  });

  it('pretty: one line per event, fields as key=value, an error as its code and message without its stack at info; addresses masked', () => {
    const { logger, text } = capture({ level: 'info', format: 'pretty' });
    logger.info({ workflowId: 'onboard-openai/E-1/evt_1', taskToken: 'CiQwMWEy', outcome: 'created' }, 'action done');
    logger.warn({ err: failure(), step: 'invite' }, 'step failed');
    logger.info({ req: { method: 'POST', url: '/webhooks/generic', remotePort: 5 }, reqId: 'r1' }, 'incoming request');
    logger.debug('not shown at info');
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: action done workflowId=onboard-openai\/E-1\/evt_1 outcome=created$/);
    expect(lines[1]).toMatch(/WARN: step failed err="OPENAI_UNAVAILABLE: OpenAI answered 503 for a•••@example.com" step=invite$/);
    expect(lines[2]).toMatch(/INFO: incoming request req=POST \/webhooks\/generic reqId=r1$/);
    expect(text()).not.toContain('taskToken');
    expect(text()).not.toContain('ada@example.com');
    expect(text()).not.toContain('\u001b[');
    expect(text()).not.toMatch(/^\s+at /m);
  });

  it('pretty at debug: the stack follows the line', () => {
    const { logger, text } = capture({ level: 'debug', format: 'pretty' });
    logger.error({ err: failure() }, 'run failed');
    const [first, ...rest] = text().split('\n').filter(Boolean);
    expect(first).toMatch(/ERROR: run failed err="OPENAI_UNAVAILABLE: OpenAI answered 503/);
    expect(rest.length).toBeGreaterThan(1);
    expect(rest[0]).toMatch(/^\s+Error: OpenAI answered 503/);
    expect(rest[1]).toMatch(/^\s+at /);
  });

  it('json: one parseable object per line, the error with its stack, secrets redacted', () => {
    const { logger, text } = capture({ level: 'info', format: 'json' });
    logger.error({ err: failure(), adminKey: new Secret('sk-admin-1234') }, 'run failed');
    logger.info('second');
    const lines = text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    const [failed] = lines.map((l) => JSON.parse(l) as { msg: string; err: { type: string; stack: string }; adminKey: string });
    expect(failed).toMatchObject({ msg: 'run failed', adminKey: '[redacted]', err: { type: 'Error' } });
    expect(failed!.err.stack).toContain('OpenAI answered 503');
    expect(text()).not.toContain('sk-admin-1234');
  });

  it('a Temporal failure under `error` (the SDK\'s `Activity failed`) keeps its type and masked message in both formats', () => {
    const activityFailed = () => ApplicationFailure.create({ type: 'OPENAI_NOT_A_MEMBER', message: 'bob@example.com is not a member', nonRetryable: true });
    const json = capture({ level: 'info', format: 'json' });
    json.logger.warn({ error: activityFailed(), activityType: 'openaiAddToProject' }, 'Activity failed');
    expect(JSON.parse(json.text())).toMatchObject({ error: { type: 'OPENAI_NOT_A_MEMBER', message: 'b•••@example.com is not a member', nonRetryable: true } });
    const pretty = capture({ level: 'info', format: 'pretty' });
    pretty.logger.warn({ error: activityFailed(), activityType: 'openaiAddToProject' }, 'Activity failed');
    expect(pretty.text()).toMatch(/WARN: Activity failed error="OPENAI_NOT_A_MEMBER: b•••@example.com is not a member" activityType=openaiAddToProject\n$/);
  });
});
