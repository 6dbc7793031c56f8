import type { z } from 'zod';

/**
 * Turns a model's answer into a validated value. Models wrap JSON in code
 * fences or add a sentence around it despite being told not to, so the first
 * balanced `{…}` object is taken before validating.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function extractJsonObject(text: string): string | null {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const source = fenced?.[1] ?? text;
  const start = source.indexOf('{');
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const ch = source[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return source.slice(start, i + 1);
  }
  return null;
}

export function parseStructured<T>(text: string, schema: z.ZodType<T>): ParseResult<T> {
  const raw = extractJsonObject(text);
  if (raw === null) return { ok: false, error: 'The answer contained no JSON object.' };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    return { ok: false, error: `The JSON did not parse: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: `The JSON did not match the schema: ${issues.join('; ')}` };
}
