import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { boardPages } from './boardPages.ts';
import { meetingPages } from './meetingPages.ts';
import { iconPng, manifest } from './pwa.ts';
import type { WebDeps } from './render.ts';
import { settingsPages } from './settingsPages.ts';

export type { PlatformStatus, WebDeps, WebUser } from './render.ts';

const publicDir = fileURLToPath(new URL('./public', import.meta.url));
const chartistDir = dirname(createRequire(import.meta.url).resolve('chartist'));
const STATIC_MAX_AGE = 60 * 60 * 1000;

/**
 * The dashboard's server-rendered pages (eta templates in ./views) with their
 * progressive-enhancement scripts and styles under /static, the PWA manifest
 * and service worker. No inline script or style: everything a script needs is
 * in data-* attributes or fetched from the JSON API, so a CSP with
 * `script-src 'self'` holds. Mount it after the API and auth routers.
 */
export function createWebRouter(deps: WebDeps): Router {
  const router = express.Router();

  router.get('/static/vendor/chartist.js', (_req, res) => sendVendor(res, 'index.umd.js'));
  router.get('/static/vendor/chartist.css', (_req, res) => sendVendor(res, 'index.css'));
  router.use('/static', express.static(publicDir, { maxAge: STATIC_MAX_AGE, index: false }));

  router.get('/manifest.webmanifest', (_req, res) => {
    res.type('application/manifest+json').set('Cache-Control', 'public, max-age=3600').send(JSON.stringify(manifest));
  });
  // Served from the root so its scope covers every page; never cached, so updates reach browsers.
  router.get('/sw.js', (_req, res) => {
    res.set({ 'Service-Worker-Allowed': '/', 'Cache-Control': 'no-cache' });
    res.type('text/javascript').sendFile(join(publicDir, 'sw.js'));
  });
  const icons = new Map<number, Buffer>();
  for (const size of [192, 512]) {
    router.get(`/icon-${size}.png`, (_req, res) => {
      if (!icons.has(size)) icons.set(size, iconPng(size));
      res.type('image/png').set('Cache-Control', 'public, max-age=86400').send(icons.get(size));
    });
  }

  meetingPages(router, deps);
  boardPages(router, deps);
  settingsPages(router, deps);
  return router;
}

function sendVendor(res: express.Response, file: string): void {
  res.sendFile(join(chartistDir, file), { maxAge: 24 * STATIC_MAX_AGE });
}
