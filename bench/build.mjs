// Bundles the baseline server and the load generator so that each runs as one plain `node`
// process, like the production server: no TypeScript loader thread in the measured memory.
import { build } from 'esbuild';

await build({
  // Flat names in dist/: the suite starts the others from its own folder.
  entryPoints: [
    { in: 'src/baseline/raw-server.ts', out: 'raw-server' },
    { in: 'src/load/load-generator.ts', out: 'load-generator' },
    { in: 'src/suite.ts', out: 'suite' },
    { in: 'src/measure/profile-summary.ts', out: 'profile-summary' },
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
