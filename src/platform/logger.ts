import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';
import { serializeError } from './safe-error';

export type { Logger };

/** Structured JSON logs on stdout; one logger per process, children carry request/job ids. */
export function createLogger(level: LogLevel = 'info', name = 'amsnet', destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors of the database never log the values of the statement (src/platform/safe-error.ts).
    serializers: { err: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}
