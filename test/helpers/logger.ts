import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../logging/index.ts';

/** A real logger whose lines are kept in memory, so tests can search them (e.g. for secrets). */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}
