// `npm run teams:package`: builds dist/teams-app.zip (manifest + icons) to upload in
// Teams (Apps → Manage your apps → Upload an app) or the Teams Developer Portal.
// Reads TEAMS_APP_ID and PUBLIC_URL from the environment or .env.
import 'dotenv/config';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildAppPackage } from '../adapters/teams/appPackage.ts';

const root = new URL('../', import.meta.url);
try {
  const appId = process.env.TEAMS_APP_ID ?? '';
  const publicUrl = process.env.PUBLIC_URL ?? '';
  if (!appId || !publicUrl) throw new Error('Set TEAMS_APP_ID (the bot\'s Entra app id) and PUBLIC_URL (the https address of /api/messages\' server) first.');
  const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;
  const zip = buildAppPackage({ TEAMS_APP_ID: appId, PUBLIC_URL: publicUrl, APP_VERSION: version });
  mkdirSync(new URL('dist/', root), { recursive: true });
  const out = new URL('dist/teams-app.zip', root);
  writeFileSync(out, zip);
  console.log(`wrote ${out.pathname} (${zip.length} bytes): upload it in Teams → Apps → Manage your apps → Upload an app`);
} catch (err) {
  console.error(`teams:package: ${(err as Error).message}`);
  process.exitCode = 1;
}
