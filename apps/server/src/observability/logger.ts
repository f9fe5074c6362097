import { type DestinationStream, type Logger, pino } from 'pino';
import { redactStreamIds } from './redact.ts';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines held for a destination that takes none; past it new lines are dropped, not kept. */
const MAX_BUFFERED_LOG_BYTES = 16 * 1024 * 1024;

/** Set on the way out: from then on a destination that takes nothing is given up on. */
let exiting = false;

/**
 * One JSON document per line on stdout. `pnpm dev` pipes it through pino-pretty; production
 * keeps it machine-readable. Written asynchronously: a synchronous write per line blocked the
 * event loop on every stream's end (a pipe to a busy reader made it worse), while lines that
 * pile up during one write leave together in the next. Whatever is still buffered when the
 * process exits is written on the way out, as far as the destination takes it (see exitProcess).
 */
export function createLogger(
  level: LogLevel,
  destination: DestinationStream = pino.destination({
    dest: 1,
    sync: false,
    maxLength: MAX_BUFFERED_LOG_BYTES,
    // A full pipe (a log shipper that hung) is retried later while the process runs, never on
    // the way out, where pino's exit hook would otherwise wait for it forever.
    retryEAGAIN: () => !exiting,
  }),
): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"error" reads and greps better than pino's numbers.
      formatters: { level: (label) => ({ level: label }) },
      // An error can carry a stream id (a Redis key in a failed command, say): cut to its prefix.
      serializers: {
        err: (error: Error) =>
          JSON.parse(redactStreamIds(JSON.stringify(pino.stdSerializers.err(error)))),
      },
    },
    destination,
  );
}

/** For tests and embedders that want no output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The parts of pino's destination (sonic-boom) that `exitProcess` uses. */
interface FlushableDestination {
  flushSync(): void;
  destroy(): void;
}

function isFlushable(stream: unknown): stream is FlushableDestination {
  const candidate = stream as Partial<FlushableDestination> | undefined;
  return typeof candidate?.flushSync === 'function' && typeof candidate.destroy === 'function';
}

/**
 * Exits with `code` after writing the buffered log lines that the destination takes now. A
 * destination that takes nothing (a pipe nobody reads) loses the rest instead of holding the
 * process: a shutdown must not depend on where the log goes.
 */
export function exitProcess(logger: Logger, code: number): never {
  exiting = true;
  const stream: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (isFlushable(stream)) {
    try {
      stream.flushSync();
    } catch {
      // Destroyed, it is skipped by pino's own exit hook, which would try again.
      stream.destroy();
    }
  }
  process.exit(code);
}
