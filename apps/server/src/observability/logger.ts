import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.ts';

export type { Logger };

/**
 * One JSON document per line on stdout. `pnpm dev` pipes it through pino-pretty; production
 * keeps it machine-readable. Written asynchronously: a synchronous write per line blocked the
 * event loop on every stream's end (a pipe to a busy reader made it worse), while lines that
 * pile up during one write leave together in the next. Whatever is still buffered when the
 * process exits is written synchronously on the way out, so nothing is lost.
 */
export function createLogger(
  level: LogLevel,
  destination: DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
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
