import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { createHttpServer } from './http/http-server.ts';
import { hasBuiltPage } from './http/web-static.ts';
import { createModels } from './models/registry.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { createStreamObserver } from './observability/stream-observer.ts';
import { sharedRateLimitStore } from './security/shared-rate-limit.ts';
import { closeOnSignals } from './shutdown.ts';
import { createStreamStore } from './store/create-store.ts';
import { ActiveStreams } from './streaming/active-streams.ts';
import { sharedFlushScheduler } from './streaming/flush-scheduler.ts';

function readConfig() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // LOG_LEVEL may be the bad setting itself, so this one line goes out at the default level.
    createLogger('info').fatal({ problems: error.problems }, error.message);
    process.exit(1);
  }
}

async function openStore() {
  try {
    // A shared store's writes go after the readers' writes of the turn: the generating
    // instance's own readers read from memory and need not wait while the store encodes and
    // sends the same events.
    return await createStreamStore(
      config,
      logger,
      (flush) => void sharedFlushScheduler.flushed().then(flush),
    );
  } catch (error) {
    logger.fatal(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const metrics = createMetrics();
const store = await openStore();
const streams = new ActiveStreams({
  store,
  heartbeatMs: config.heartbeatMs,
  retentionMs: config.streamRetentionMs,
  readerMaxLagBytes: config.readerMaxLagBytes,
  observer: createStreamObserver({ logger, metrics }),
  logger,
});
const app = createApp({
  config,
  models: createModels(config),
  streams,
  logger,
  metrics,
  rateLimitStore: sharedRateLimitStore(store, logger),
});
const server = createHttpServer(app);

server.on('error', (error: NodeJS.ErrnoException) => {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') logger.fatal(`${where} is in use: set PORT to a free port.`);
  else if (error.code === 'EACCES') logger.fatal(`No permission to listen on ${where}.`);
  else logger.fatal({ err: error }, `Could not listen on ${where}.`);
  process.exit(1);
});

// Node's default accept queue (511) overflows when thousands of readers reconnect at once, as
// every open page does after a restart, and each dropped connection then waits seconds for a
// retransmission. The kernel caps this at net.core.somaxconn.
const LISTEN_BACKLOG = 4096;

server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const page = hasBuiltPage(config.webDir)
    ? `the built page from ${config.webDir}`
    : `no page (nothing built in ${config.webDir})`;
  logger.info({ url }, `gpt-stream listening on ${url}: API under /api, ${page}`);
  if (config.openai) {
    // Origin and path only: a URL can carry credentials, and the key is never printed.
    const { origin, pathname } = new URL(config.openai.baseURL);
    logger.info(
      { models: config.openai.models, upstream: `${origin}${pathname}` },
      `Offering ${config.openai.models.join(', ')} from ${origin}${pathname}`,
    );
  }
});

closeOnSignals({ server, streams, graceMs: config.shutdownGraceMs, logger });
