import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from './types.ts';

/**
 * Argon2id with the library's defaults (19 MiB, 2 passes: the OWASP
 * baseline). The parameters live in the PHC string, so raising them later
 * keeps old hashes verifiable.
 */
export class Argon2Hasher implements PasswordHasher {
  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      // A corrupt stored hash must read as "wrong password", not as a 500 that tells the caller the account exists.
      return false;
    }
  }
}
