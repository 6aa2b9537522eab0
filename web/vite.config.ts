// The explorer's build: `npm run build:web` writes static files to dist/web/ that work from any
// static host (relative paths) and from `ff serve`. The page imports the Node-free core only:
// the build fails on any Node module it would pull in (test/web/explorer.test.ts builds it).
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const NODE = new Set(builtinModules);

function noNodeImports(): Plugin {
  return {
    name: 'ff-no-node-imports',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id.startsWith('node:') || NODE.has(id)) this.error(`the browser bundle imports the Node module '${id}' (from ${importer ?? '?'})`);
      return null;
    },
  };
}

export default defineConfig({
  root: 'web',
  base: './',
  plugins: [noNodeImports()],
  build: { outDir: '../dist/web', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es', plugins: () => [noNodeImports()] },
});
