import tls from 'node:tls';

/**
 * Trusts one certificate for one `host:port`, for the duration of a test.
 *
 * @discordjs/voice opens `new WebSocket('wss://…')` with no TLS options, so a
 * test cannot hand it a CA. Rather than `NODE_TLS_REJECT_UNAUTHORIZED=0`
 * (which turns verification off for every TLS connection in the process and
 * prints a warning), this wraps `tls.connect` — which `ws` looks up on each
 * connection — and adds `ca: [cert]` only to connections aimed at exactly
 * `host:port`. Certificate verification stays on: the fake's certificate must
 * still be valid, unexpired and issued for that IP. Node 22.15+ could use
 * `tls.setDefaultCACertificates` instead; this repository runs on Node 20.
 *
 * Returns the undo function (call it in `after`/`afterEach`).
 */
export function trustCertificate(target: { host: string; port: number }, cert: string): () => void {
  const mutable = tls as unknown as { connect: (...args: unknown[]) => tls.TLSSocket };
  const original = mutable.connect;
  const patched = function (this: unknown, ...args: unknown[]): tls.TLSSocket {
    const options = args[0];
    if (options && typeof options === 'object') {
      const o = options as tls.ConnectionOptions;
      if (o.host === target.host && Number(o.port) === target.port && o.ca === undefined) o.ca = [cert];
    }
    return original.apply(this, args);
  };
  mutable.connect = patched;
  return () => {
    if (mutable.connect === patched) mutable.connect = original;
  };
}
