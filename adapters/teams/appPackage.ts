import { readFileSync } from 'node:fs';
import { deflateRawSync, deflateSync } from 'node:zlib';

/**
 * The Teams app package (the zip uploaded in Teams or the Developer Portal):
 * manifest.json rendered from adapters/teams/manifest/manifest.json plus the
 * two icons, drawn here so no binary lives in the repository. Plain node:zlib;
 * no packaging dependency.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An RGBA PNG of `size`×`size` whose pixels `paint(x, y)` returns as [r, g, b, a]. */
export function png(size: number, paint: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) raw.set(paint(x, y), row + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit, RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Where a page with ruled lines is, in unit coordinates (0..1): shared by both icons. */
function notepad(u: number, v: number): 'page' | 'line' | 'edge' | null {
  const inPage = u > 0.24 && u < 0.76 && v > 0.16 && v < 0.84;
  if (!inPage) return null;
  const edge = u < 0.29 || u > 0.71 || v < 0.21 || v > 0.79;
  if (edge) return 'edge';
  const lines = [0.34, 0.46, 0.58, 0.7];
  if (u > 0.34 && u < 0.66 && lines.some((l) => Math.abs(v - l) < 0.025)) return 'line';
  return 'page';
}

/** 192×192 full-color icon: white notepad on the accent color. */
export function colorIcon(): Buffer {
  return png(192, (x, y) => {
    const p = notepad((x + 0.5) / 192, (y + 0.5) / 192);
    if (p === 'line') return [47, 111, 222, 255];
    if (p) return [255, 255, 255, 255];
    return [47, 111, 222, 255];
  });
}

/** 32×32 outline icon: white on transparent, as Teams requires. */
export function outlineIcon(): Buffer {
  return png(32, (x, y) => {
    const p = notepad((x + 0.5) / 32, (y + 0.5) / 32);
    return p === 'edge' || p === 'line' ? [255, 255, 255, 255] : [0, 0, 0, 0];
  });
}

/** A zip archive (deflate, no directories) of `files`. */
export function zip(files: { name: string; data: Buffer }[], date = new Date(1980, 0, 1)): Buffer {
  const dosTime = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const dosDate = ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const packed = deflateRawSync(f.data);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

export interface PackageVars {
  TEAMS_APP_ID: string;
  PUBLIC_URL: string;
  APP_VERSION: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** manifest.json with every `{{VAR}}` filled (JSON-escaped); throws on an unknown or missing one. */
export function renderManifest(template: string, vars: PackageVars): string {
  if (!GUID.test(vars.TEAMS_APP_ID)) throw new Error(`TEAMS_APP_ID must be the Entra app (client) id, a GUID; got "${vars.TEAMS_APP_ID}"`);
  const url = new URL(vars.PUBLIC_URL);
  if (url.protocol !== 'https:') throw new Error(`PUBLIC_URL must be the public https address Teams reaches (got ${vars.PUBLIC_URL})`);
  const values: Record<string, string> = { ...vars, PUBLIC_URL: vars.PUBLIC_URL.replace(/\/$/, ''), PUBLIC_HOST: url.host };
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`manifest template uses {{${key}}}, which has no value`);
    return JSON.stringify(v).slice(1, -1);
  });
  JSON.parse(out); // a broken template fails here, not at upload
  return out;
}

export function buildAppPackage(vars: PackageVars, templatePath = new URL('./manifest/manifest.json', import.meta.url)): Buffer {
  const manifest = renderManifest(readFileSync(templatePath, 'utf8'), vars);
  return zip([
    { name: 'manifest.json', data: Buffer.from(manifest, 'utf8') },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ]);
}
