// Bundles the baseline server and the load generator so that each runs as one plain `node`
// process, like the production server: no TypeScript loader thread in the measured memory.
import { build } from 'esbuild';

await build({
  entryPoints: [
    'src/raw-server.ts',
    'src/load-generator.ts',
    'src/suite.ts',
    'src/profile-summary.ts',
  ],
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-registry-packages',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@gpt-stream/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
