import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.ts';

export type { Logger };

/**
 * One JSON document per line on stdout, written synchronously so that nothing is lost when the
 * process exits. `pnpm dev` pipes it through pino-pretty; production keeps it machine-readable.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"error" reads and greps better than pino's numbers.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** For tests and embedders that want no output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
