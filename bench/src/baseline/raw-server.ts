/** The baseline as a process, configured like the real server: PORT, HOST, MOCK_DELAY_MS. */
import { createRawServer } from './raw-baseline.ts';

const host = process.env.HOST ?? '127.0.0.1';
const server = createRawServer(Number(process.env.MOCK_DELAY_MS ?? 30));
// The same accept queue as the project's server, so that a burst of connections meets the same kernel.
server.listen({ port: Number(process.env.PORT ?? 0), host, backlog: 4096 }, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`raw baseline listening on http://${host}:${port}`);
});
process.on('SIGTERM', () => process.exit(0));
