import { Option } from 'commander';
import type { TenureConfig } from '../config/index.ts';
import { chooseLogFormat, createLogger, LOG_FORMAT_CHOICES, type Logger } from '../logging/index.ts';

/** `--log-format`, for the commands that run a service (`dev`, `serve`, `worker`). */
export function logFormatOption(): Option {
  return new Option('--log-format <format>', 'auto: readable lines on a terminal, JSON lines otherwise (default: TENURE_LOG_FORMAT, else auto)').choices(LOG_FORMAT_CHOICES);
}

/** The service's logger: TENURE_LOG_LEVEL, and `--log-format` (else TENURE_LOG_FORMAT) against whether stdout is a terminal. */
export function serviceLogger(config: TenureConfig, name: string, logFormat: string | undefined): Logger {
  return createLogger({ level: config.logLevel, name, format: chooseLogFormat(logFormat ?? config.logFormat, process.stdout.isTTY === true) });
}
