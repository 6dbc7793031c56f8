import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * core/ is the platform-free engine: it must never import an adapter, the
 * dashboard, the wiring in bot/, a web framework or a vendor SDK. Adapters
 * depend on core only, never on each other.
 */
const root = new URL('..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(path);
  }
  return out;
}

export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return specs;
}

const FORBIDDEN_PACKAGES = [
  /^express(\/|$)/, /^discord\.js/, /^@discordjs\//, /^@slack\//, /^@microsoft\//, /^botbuilder/,
  /^openai(\/|$)/, /^@anthropic-ai\//, /^@google\//, /^ws$/, /^ioredis/, /^bullmq/, /^prism-media/,
];

function violations(dir: string, forbiddenDirs: string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(join(root, dir))) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      const target = spec.startsWith('.') ? relative(root, join(file, '..', spec)) : null;
      const badDir = target && forbiddenDirs.some((d) => target === d || target.startsWith(`${d}/`));
      const badPkg = !spec.startsWith('.') && !spec.startsWith('node:') && FORBIDDEN_PACKAGES.some((p) => p.test(spec));
      if (badDir || badPkg) found.push(`${relative(root, file)} imports ${spec}`);
    }
  }
  return found;
}

/**
 * Tests may wire real parts together (a dashboard test on a real Redis cache);
 * the rule is about what the shipped code depends on. core/ stays strict even in tests.
 */
const isTest = (violation: string): boolean => /^\S+\.test\.ts imports /.test(violation);

describe('import boundaries', () => {
  it('finds imports of every form (so the check below can fail)', () => {
    const specs = importsOf(`import x from 'express';\nimport { y } from "../adapters/discord/index.ts";\nconst z = await import('discord.js');\nimport 'openai';\nexport * from './a.ts';`);
    expect(specs).to.deep.equal(['express', '../adapters/discord/index.ts', 'discord.js', 'openai', './a.ts']);
  });

  it('core/ imports no adapter, dashboard, bot, web framework or vendor SDK', () => {
    expect(violations('core', ['adapters', 'dashboard', 'bot'])).to.deep.equal([]);
  });

  it('adapters import neither each other, the dashboard nor bot/', () => {
    for (const adapter of readdirSync(join(root, 'adapters')).filter((d) => statSync(join(root, 'adapters', d)).isDirectory())) {
      const others = readdirSync(join(root, 'adapters')).filter((d) => d !== adapter).map((d) => `adapters/${d}`);
      // Adapters may use their own platform SDK; only project-relative imports are checked here.
      const found = violations(`adapters/${adapter}`, [...others, 'dashboard', 'bot']).filter((v) => / imports \./.test(v) && !isTest(v));
      expect(found, adapter).to.deep.equal([]);
    }
  });

  it('the dashboard does not import adapters or bot/', () => {
    expect(violations('dashboard', ['adapters', 'bot']).filter((v) => / imports \./.test(v) && !isTest(v))).to.deep.equal([]);
  });
});
