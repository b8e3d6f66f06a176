import { prettyFactory, type MessageFormatFunc } from 'pino-pretty';
import type { DestinationStream } from 'pino';

/** How log lines are written: one JSON object per line, or one readable (coloured) line per event. */
export type LogFormat = 'json' | 'pretty';
/** What may be asked for: `auto` is `pretty` on a terminal, `json` otherwise (a pipe, a file, a log shipper). */
export type LogFormatChoice = LogFormat | 'auto';
export const LOG_FORMAT_CHOICES: readonly LogFormatChoice[] = ['auto', 'json', 'pretty'];

/**
 * The format in force: `requested` (`--log-format`, else TENURE_LOG_FORMAT) when it is `json`
 * or `pretty`; for `auto` or nothing, `pretty` when `isTTY` (stdout is a terminal), else `json`.
 */
export function chooseLogFormat(requested: string | undefined, isTTY: boolean): LogFormat {
  const choice = requested ?? 'auto';
  if (!(LOG_FORMAT_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`unknown log format '${choice}': use ${LOG_FORMAT_CHOICES.join(', ')} (auto: pretty on a terminal, json otherwise)`);
  }
  return choice === 'auto' ? (isTTY ? 'pretty' : 'json') : (choice as LogFormat);
}

/** Fields every line of a worker carries that say nothing to a person reading a terminal. */
const NOISE = new Set(['pid', 'hostname', 'name', 'taskToken', 'namespace', 'sdkComponent', 'isLocal', 'workflowRunId', 'runId', 'workflowType', 'activityId']);
/** Error-like fields: shown as `type: message`; their stack only at debug. */
const ERROR_KEYS = new Set(['err', 'error']);

export interface PrettyOptions {
  /** Where the readable lines go. */
  destination: DestinationStream;
  /** Colour the level and the field names. Default: false. */
  colorize?: boolean;
  /** Append error stacks (indented, under the line). The logger turns it on at `debug` and `trace`. Default: false. */
  stacks?: boolean;
}

/**
 * A pino destination that turns each JSON line into one readable line through pino-pretty
 * (in this thread: no transport worker to wait for at shutdown):
 *
 *   12:01:07.412 WARN  run needs attention  workflowId=move-department/E-2001/evt_1 step=add-to-new-project error="OPENAI_NOT_A_MEMBER: b•••@example.com is not a member…"
 *
 * Fields come as `key=value` after the message; errors as `code: message` (or `type: message`), with the stack
 * on the following lines only when `stacks` is set. A line that is not JSON passes as it is.
 */
export function prettyDestination(options: PrettyOptions): DestinationStream {
  const pretty = prettyFactory({
    colorize: options.colorize ?? false,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    hideObject: true,
    singleLine: true,
    messageFormat: (log, messageKey, _level, { colors }) => readableMessage(log, messageKey, options.stacks ?? false, colors),
  });
  return {
    write(line: string) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        options.destination.write(line);
        return;
      }
      // The fields are in the message already; pino-pretty prints level, time and message.
      const { level, time, msg } = parsed;
      const text = pretty({ level, time, msg: msg ?? '', [FIELDS]: parsed });
      options.destination.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}

/** Where the whole parsed line rides along to `messageFormat` (a key no log line uses). */
const FIELDS = '__tenureFields';

type Colors = Parameters<MessageFormatFunc>[3]['colors'];

function readableMessage(log: Record<string, unknown>, messageKey: string, stacks: boolean, colors: Colors): string {
  const fields = (log[FIELDS] ?? {}) as Record<string, unknown>;
  const parts: string[] = [String(log[messageKey] ?? '')];
  const stackLines: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (['level', 'time', 'msg'].includes(key) || NOISE.has(key) || value === undefined) continue;
    // A first attempt is the ordinary case; a retry says which it is.
    if (key === 'attempt' && value === 1) continue;
    if (ERROR_KEYS.has(key) && value !== null && typeof value === 'object') {
      const error = value as { type?: unknown; code?: unknown; message?: unknown; stack?: unknown };
      // A stable code (OPENAI_UNAVAILABLE) says more than the class name pino puts in `type`.
      const label = typeof error.code === 'string' ? error.code : error.type;
      parts.push(`${colors.gray(`${key}=`)}${quote([label, error.message].filter((p) => p !== undefined && p !== '').join(': ') || JSON.stringify(value))}`);
      if (stacks && typeof error.stack === 'string') stackLines.push(...error.stack.split('\n').map((l) => `    ${l.trim()}`));
      continue;
    }
    parts.push(`${colors.gray(`${key}=`)}${field(key, value)}`);
  }
  return [parts.join(' '), ...stackLines].join('\n');
}

/** fastify's request and response objects read as `POST /webhooks/generic` and `202`. */
function field(key: string, value: unknown): string {
  if (key === 'req' && value && typeof value === 'object' && 'method' in value && 'url' in value) return `${String(value.method)} ${String(value.url)}`;
  if (key === 'res' && value && typeof value === 'object' && 'statusCode' in value) return String(value.statusCode);
  if (key === 'responseTime' && typeof value === 'number') return `${value.toFixed(0)}ms`;
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return value.join(',') || '[]';
  return JSON.stringify(value);
}

/** A value with spaces, quotes or an equals sign is quoted, so `key=value` pairs stay apart. */
function quote(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return /[\s"=]/.test(oneLine) || oneLine === '' ? JSON.stringify(oneLine) : oneLine;
}
