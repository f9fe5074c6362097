import { createServer } from 'node:http';
import { ActiveStreams } from './active-streams.ts';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createBuiltInModels } from './models/registry.ts';
import { closeOnSignals } from './shutdown.ts';
import { createStreamStore } from './store/create-store.ts';
import { hasBuiltPage } from './web-static.ts';

const SHUTDOWN_GRACE_MS = 5000;

function readConfig() {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function openStore() {
  try {
    return await createStreamStore(config);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

const config = readConfig();
const streams = new ActiveStreams({
  store: await openStore(),
  heartbeatMs: config.heartbeatMs,
  retentionMs: config.streamRetentionMs,
});
const app = createApp({
  config,
  models: createBuiltInModels({ mockDelayMs: config.mockDelayMs }),
  streams,
});
const server = createServer(app);

server.on('error', (error: NodeJS.ErrnoException) => {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') console.error(`${where} is in use: set PORT to a free port.`);
  else if (error.code === 'EACCES') console.error(`No permission to listen on ${where}.`);
  else console.error(`Could not listen on ${where}:`, error.message);
  process.exit(1);
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const page = hasBuiltPage(config.webDir)
    ? `the built page from ${config.webDir}`
    : `no page (nothing built in ${config.webDir})`;
  console.log(`gpt-stream listening on ${url}: API under /api, ${page}`);
});

closeOnSignals({ server, streams, graceMs: SHUTDOWN_GRACE_MS });
