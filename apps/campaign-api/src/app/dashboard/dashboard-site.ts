import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Paths that are the API's: the dashboard's page never answers them. */
const API_PATHS = /^\/(campaigns|agent-api|health)(\/|$)/;
/** GET /campaigns/:id/calls/:call_id, ids as the services write them. */
const CALL_PATH = /^\/campaigns\/([\w-]{1,100})\/calls\/([\w.-]{1,200})$/;

/**
 * The built dashboard's folder: DASHBOARD_DIR, else dist/apps/dashboard beside this build
 * (dist/apps/campaign-api/apps/campaign-api/src/app/dashboard/ is six folders below dist/apps).
 * Undefined when there is no built dashboard there: the campaign-api then serves its API alone.
 */
export function dashboardDirFrom(env: NodeJS.ProcessEnv, here = __dirname): string | undefined {
  const dir = env['DASHBOARD_DIR']?.trim() ? resolve(env['DASHBOARD_DIR'].trim()) : resolve(here, '../../../../../../dashboard');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * What a browser needs to run the dashboard, for anyone: its HTML, scripts and styles, which
 * hold no data. Every request for data still needs the key (the guard on every API route).
 * The page may load only its own scripts and talk only to its own origin, so nothing can carry
 * the key (kept in the tab's sessionStorage) elsewhere.
 */
export function mountDashboardSite(app: NestExpressApplication, dir: string | undefined): void {
  if (!dir) return;
  const index = join(dir, 'index.html');
  const pageHeaders = (res: Response) => {
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
  };
  // Vite names each built asset by its content hash: a browser may keep one for good.
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets/',
    index: false,
    fallthrough: false,
    maxAge: '365d',
    immutable: true,
    setHeaders: (res: Response) => res.setHeader('x-content-type-options', 'nosniff'),
  });
  // A call's own URL (an outcome webhook's transcript_url) opened in a browser: its page in the
  // dashboard, which asks for the key. The redirect only echoes the path, so it tells nobody anything.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const call = CALL_PATH.exec(req.path);
    if (req.method !== 'GET' || !call || req.accepts(['json', 'html']) !== 'html') return next();
    res.redirect(302, `/#/campaigns/${call[1]}/calls/${call[2]}`);
  });
  // The one page: `/` and any other path that is not the API's (the pages are addressed by the hash).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || !req.accepts('html')) return next();
    pageHeaders(res);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
}
