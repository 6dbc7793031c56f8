import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MinutesError } from '../../core/errors.ts';

/**
 * Slack tokens at rest: AES-256-GCM with a key from the environment
 * (`SLACK_TOKEN_KEY`, 32 bytes as base64 or hex). Ciphertext is versioned text,
 * `v1:<iv>:<tag>:<data>` (base64url parts), so the scheme can change later.
 * GCM authenticates: a wrong key or a tampered value fails with a coded error
 * (`CONFIG_INVALID`, `details.reason`), never decrypts to garbage.
 */
export const TOKEN_KEY_ENV = 'SLACK_TOKEN_KEY';

export type TokenCryptoReason = 'SLACK_TOKEN_KEY_MISSING' | 'SLACK_TOKEN_KEY_INVALID' | 'SLACK_TOKEN_UNDECRYPTABLE' | 'SLACK_TOKEN_FORMAT';

export interface TokenCipher {
  /** `aad` binds the ciphertext to its row (e.g. the team id): it then only decrypts with the same `aad`. */
  encrypt(plaintext: string, aad?: string): string;
  decrypt(ciphertext: string, aad?: string): string;
  /** First 8 hex characters of SHA-256 of the key: safe to log, tells keys apart. */
  readonly keyId: string;
}

const fail = (reason: TokenCryptoReason, message: string, cause?: unknown): MinutesError =>
  new MinutesError('CONFIG_INVALID', message, { details: { reason, variable: TOKEN_KEY_ENV }, ...(cause ? { cause } : {}) });

/** Parses a 32-byte key written as 64 hex characters or as base64/base64url. */
export function parseTokenKey(raw: string | undefined): Buffer {
  const text = (raw ?? '').trim();
  if (!text) throw fail('SLACK_TOKEN_KEY_MISSING', `${TOKEN_KEY_ENV} is not set; generate one with: openssl rand -base64 32`);
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) key = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (!key || key.length !== 32) {
    throw fail('SLACK_TOKEN_KEY_INVALID', `${TOKEN_KEY_ENV} must be 32 bytes written as base64 or 64 hex characters (got ${key ? `${key.length} bytes` : 'neither'}); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export function createTokenCipher(key: Buffer | string): TokenCipher {
  const bytes = typeof key === 'string' ? parseTokenKey(key) : key;
  if (bytes.length !== 32) throw fail('SLACK_TOKEN_KEY_INVALID', `${TOKEN_KEY_ENV} must be 32 bytes, got ${bytes.length}`);
  const keyBytes = Buffer.from(bytes);
  const keyId = createHash('sha256').update(keyBytes).digest('hex').slice(0, 8);
  return {
    keyId,
    encrypt(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyBytes, iv);
      if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
    },
    decrypt(ciphertext, aad) {
      const parts = String(ciphertext).split(':');
      if (parts.length !== 4 || parts[0] !== 'v1') {
        throw fail('SLACK_TOKEN_FORMAT', `A stored Slack token is not in the v1:iv:tag:data format (version "${parts[0] ?? ''}")`);
      }
      const [, iv, tag, data] = parts as [string, string, string, string];
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyBytes, Buffer.from(iv, 'base64url'));
        if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw fail(
          'SLACK_TOKEN_UNDECRYPTABLE',
          `A stored Slack token cannot be decrypted with this ${TOKEN_KEY_ENV} (key ${keyId}): the key changed or the value was tampered with. Restore the old key or reinstall the app.`,
          cause,
        );
      }
    },
  };
}

/** The cipher for `SLACK_TOKEN_KEY` in `env`; throws CONFIG_INVALID when it is missing or malformed. */
export function tokenCipherFromEnv(env: NodeJS.ProcessEnv = process.env): TokenCipher {
  return createTokenCipher(parseTokenKey(env[TOKEN_KEY_ENV]));
}
