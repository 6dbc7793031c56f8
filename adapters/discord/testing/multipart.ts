// A small multipart/form-data parser: enough for what undici's FormData sends
// (discord.js uploads `files[n]` parts plus one `payload_json` part). busboy
// is not installed and one dependency less is worth these 50 lines.
import type { UploadedFile } from './types.ts';

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export function boundaryOf(contentType: string): string | null {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const out: MultipartBody = { fields: {}, files: [] };
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    // `--boundary--` closes the body.
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part is CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(partStart + 2, next - 2);
    addPart(out, part);
    start = next;
  }
  return out;
}

function addPart(out: MultipartBody, part: Buffer): void {
  const headerEnd = part.indexOf('\r\n\r\n');
  if (headerEnd === -1) return;
  const headers = parseHeaders(part.subarray(0, headerEnd).toString('utf8'));
  const data = part.subarray(headerEnd + 4);
  const disposition = headers['content-disposition'] ?? '';
  const name = param(disposition, 'name');
  if (name === null) return;
  const filename = param(disposition, 'filename');
  if (filename === null) {
    out.fields[name] = data.toString('utf8');
    return;
  }
  out.files.push({
    name, filename, contentType: headers['content-type'] ?? 'application/octet-stream', data: Buffer.from(data),
  });
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function param(header: string, key: string): string | null {
  // undici percent-encodes `"`, CR and LF in names (and sends no `filename*=`).
  const m = new RegExp(`(?:^|;)\\s*${key}="([^"]*)"`, 'i').exec(header);
  if (!m) return null;
  return (m[1] ?? '').replace(/%22/g, '"').replace(/%0D/g, '\r').replace(/%0A/g, '\n');
}
