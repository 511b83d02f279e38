// The operations dashboard: `nx serve dashboard` proxies the APIs so the browser talks to one
// origin, as it does in production where the campaign-api serves the built files at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const campaignApi = process.env.CAMPAIGN_API_URL ?? 'http://127.0.0.1:5003';
const agentApi = process.env.AGENT_API_URL ?? 'http://127.0.0.1:5001';

export default defineConfig({
  root,
  base: '/',
  // Vite 8 transforms JSX itself (oxc); no React plugin, whose Babel peers clash with jest's.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  resolve: { alias: { '@codcall/gateway-api': fileURLToPath(new URL('../../libs/gateway-api/src/index.ts', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/dashboard', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // TanStack Table's 'use client' marks a React Server Components boundary; this app has none.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.DASHBOARD_PORT ?? 4200),
    proxy: {
      '/campaigns': { target: campaignApi, changeOrigin: true },
      // The agent-api's routes, under a prefix of their own (the campaign-api serves them alike in production).
      '/agent-api': { target: agentApi, changeOrigin: true, rewrite: (path) => path.replace(/^\/agent-api/, '') },
    },
  },
});
