/**
 * Test support: Debian's nginx on a free loopback port, with a temporary prefix of its own, serving
 * the site that docs/operations.md gives for a load-balanced deployment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@gpt-stream/server/test-redis';
import { repoPath } from './repo-path.ts';

const NGINX = '/usr/sbin/nginx';
const OPERATIONS_DOC = repoPath('docs/operations.md');
/** The fenced nginx block right after this marker is the site the tests run. */
const SITE_MARKER = '<!-- nginx-site -->';

/** The first ```nginx block after the marker in a Markdown file. */
export async function nginxSiteOf(path: string): Promise<string> {
  const text = await readFile(path, 'utf8');
  const after = text.indexOf(SITE_MARKER);
  const block = after < 0 ? null : /```nginx\n([\s\S]*?)```/.exec(text.slice(after));
  if (!block?.[1]) throw new Error(`${path} has no \`\`\`nginx block after ${SITE_MARKER}`);
  return block[1];
}

/** The site docs/operations.md gives: the one documentation and tests share. */
export const documentedSite = () => nginxSiteOf(OPERATIONS_DOC);

/**
 * The site with its instances and port swapped for the test's: each `server` line of the
 * upstream block becomes one per instance, and `listen` the test's port. Nothing else changes.
 */
export function siteFor(site: string, instances: readonly string[], port: number): string {
  const upstream = /upstream \w+ \{\n([\s\S]*?)\n\}/.exec(site);
  if (!upstream?.[1]) throw new Error('the site has no upstream block');
  const serverLines = upstream[1].split('\n').filter((line) => /^\s*server\s/.test(line));
  const [first] = serverLines;
  if (!first) throw new Error('the upstream block lists no server');
  const indent = first.slice(0, first.indexOf('server'));
  const ours = instances.map((address) => `${indent}server ${address};`).join('\n');
  const body = upstream[1].replace(first, ours);
  const replaced = serverLines.slice(1).reduce((text, line) => text.replace(`${line}\n`, ''), body);
  const listen = /^(\s*)listen [^;]+;/m;
  if (!listen.test(site)) throw new Error('the site has no listen line');
  return site
    .replace(upstream[1], replaced)
    .replace(listen, (_line, space: string) => `${space}listen 127.0.0.1:${port};`);
}

export interface TestNginx {
  url: string;
  /** nginx's own error log, for a failure message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A main configuration around `site`, as Debian's nginx.conf includes a site: nothing of it under
 * /etc or /var. Every response says which instance served it (`X-Upstream`), for tests that
 * must know where a request landed.
 */
function mainConfig(prefix: string, site: string): string {
  return `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${prefix}/body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    add_header X-Upstream $upstream_addr always;
${site}
}
`;
}

async function launch(prefix: string, conf: string): Promise<ChildProcess> {
  const child = spawn(NGINX, ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const spawned = await Promise.race([
    once(child, 'spawn').then(() => true),
    once(child, 'error').then(([error]) => {
      throw new Error(`could not run ${NGINX} (apt-get install -y nginx): ${error}`);
    }),
  ]);
  if (!spawned) throw new Error('nginx did not start');
  child.once('exit', (code) => {
    if (code !== null && code !== 0) console.error(`nginx exited with ${code}: ${stderr}`);
  });
  return child;
}

/**
 * Starts nginx in front of `instances` (host:port each) with the documented site; retries a
 * taken port.
 */
export async function startNginx(instances: readonly string[]): Promise<TestNginx> {
  const site = await documentedSite();
  const prefix = await mkdtemp(join(tmpdir(), 'gpt-stream-nginx-'));
  // The workers run as an unprivileged user when started as root: they must reach the temp paths.
  await chmod(prefix, 0o755);
  const errorLog = () => readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const conf = join(prefix, 'nginx.conf');
    await writeFile(conf, mainConfig(prefix, siteFor(site, instances, port)));
    const child = await launch(prefix, conf);
    const url = `http://127.0.0.1:${port}`;
    if (await answers(url, child)) {
      return {
        url,
        errorLog,
        async stop() {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
            const exited = once(child, 'exit');
            // SIGTERM: nginx's fast shutdown, which ends its workers too.
            process.kill(child.pid, 'SIGTERM');
            await exited;
          }
          await rm(prefix, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    if (attempt >= 3) throw new Error(`nginx did not start:\n${await errorLog()}`);
  }
}

/** Polls until nginx answers on `url`, or gives up when it exits or 10 s pass. */
async function answers(url: string, child: ChildProcess): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (Date.now() < until && child.exitCode === null) {
    try {
      // Another server may have taken the port in the meantime: only nginx's answer counts.
      const response = await fetch(`${url}/nginx-probe`);
      await response.body?.cancel();
      if (response.headers.get('server')?.startsWith('nginx')) return child.exitCode === null;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
