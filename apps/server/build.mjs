// Bundles the server into one file that plain `node` runs. Workspace packages ship TypeScript
// source, so they are bundled in; everything from the registry stays an ordinary import.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  logLevel: 'info',
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
