/**
 * Logs (pino): one JSON object per line, or one readable line per event (`format: 'pretty'`,
 * what `tenure dev` prints on a terminal; see format.ts). Secrets are `Secret` objects and print `[redacted]`;
 * the redact list below also covers headers and keys that arrive as plain strings. At `info`
 * and above, email addresses in messages and fields are masked (`a•••@example.com`): those
 * lines carry ids (request, event, employee), not people. `debug` and `trace` keep them.
 *
 *   const logger = createLogger({ level: 'info', format: chooseLogFormat(config.logFormat, process.stdout.isTTY) });
 *   logger.info({ runId }, 'run started');
 */
import { pino, type Logger } from 'pino';
import { prettyDestination, type LogFormat } from './format.ts';
import { maskPersonalData } from './personal-data.ts';

export type { Logger } from 'pino';
export { maskEmail, maskEmails, maskPersonalData } from './personal-data.ts';
export { chooseLogFormat, prettyDestination, LOG_FORMAT_CHOICES, type LogFormat, type LogFormatChoice } from './format.ts';

/** pino's number for `info`. */
const INFO = 30;
/** pino's number for `debug`: pretty lines show error stacks at this level and below. */
const DEBUG = 20;

export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["webhook-signature"]',
  'req.headers["x-bamboohr-signature"]',
  'req.headers["bob-signature"]',
  'adminKey',
  '*.adminKey',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
];

export interface LoggerOptions {
  /** `trace`…`fatal`, or `silent`. */
  level: string;
  /** Printed in JSON lines as `name`. */
  name?: string;
  /** Default: stdout. */
  destination?: pino.DestinationStream;
  /**
   * `json` (default) or `pretty`: one readable line per event, errors as `type: message`, their
   * stacks only at `debug` and `trace`.
   */
  format?: LogFormat;
  /** Colour pretty lines. Default: when stdout is a terminal that supports colour. */
  colorize?: boolean;
}

/** An error under `error`: pino's error fields, with a Temporal failure's own `type` kept. */
function failureFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const failureType = (value as { type?: unknown }).type;
  return { ...pino.stdSerializers.err(value), ...(typeof failureType === 'string' ? { type: failureType } : {}) };
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.format === 'pretty'
      ? prettyDestination({
          destination: options.destination ?? pino.destination({ dest: 1, sync: true }),
          colorize: options.colorize ?? (process.stdout.isTTY && process.stdout.hasColors()),
          stacks: (pino.levels.values[options.level] ?? INFO) <= DEBUG,
        })
      : options.destination;
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // The Temporal SDK logs failures under `error` (`Activity failed`): serialized like `err`,
      // so their message is kept, and named by their failure type (OPENAI_UNAVAILABLE).
      serializers: { error: failureFields },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        // Every argument (message, fields, errors) of a line at info and above, addresses masked.
        logMethod(args, method, level) {
          return method.apply(this, (level >= INFO ? args.map((arg) => maskPersonalData(arg)) : args) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
