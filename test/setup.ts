// Global test setup: quiet logs, and close the shared test databases at the end.
import { closeDatabases } from './support/databases.ts';

process.env.LOG_LEVEL ??= 'silent';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await closeDatabases();
  },
};
