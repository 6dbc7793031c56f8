/**
 * A minimal JSON scanner used only after `JSON.parse` or schema validation has
 * failed, to turn the failure into a file position: V8's SyntaxError message does
 * not always carry one ("Unexpected token '}', ... is not valid JSON"), and zod
 * issues carry a path, not an offset.
 */

type PathKey = string | number;

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at ${offset}`);
  }
}

class Found extends Error {
  constructor(readonly offset: number) {
    super('found');
  }
}

class Scanner {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly target: PathKey[] | undefined,
  ) {}

  run(): void {
    this.value([]);
    this.ws();
    if (this.pos < this.s.length) throw new SyntaxAt(this.pos);
  }

  private ws(): void {
    while (/[ \t\n\r]/.test(this.s[this.pos] ?? '')) this.pos++;
  }

  private value(path: PathKey[]): void {
    this.ws();
    if (this.target && samePath(path, this.target)) throw new Found(this.pos);
    const c = this.s[this.pos];
    if (c === '{') this.object(path);
    else if (c === '[') this.array(path);
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number();
    else this.literal();
  }

  private object(path: PathKey[]): void {
    this.pos++;
    this.ws();
    if (this.s[this.pos] === '}') return void this.pos++;
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') throw new SyntaxAt(this.pos);
      const key = this.string();
      this.ws();
      if (this.s[this.pos++] !== ':') throw new SyntaxAt(this.pos - 1);
      this.value([...path, key]);
      if (this.separator('}')) return;
    }
  }

  private array(path: PathKey[]): void {
    this.pos++;
    this.ws();
    if (this.s[this.pos] === ']') return void this.pos++;
    for (let i = 0; ; i++) {
      this.value([...path, i]);
      if (this.separator(']')) return;
    }
  }

  /** Consumes `,` (returns false) or the closing bracket (returns true). */
  private separator(close: string): boolean {
    this.ws();
    const c = this.s[this.pos++];
    if (c === close) return true;
    if (c === ',') return false;
    throw new SyntaxAt(this.pos - 1);
  }

  private string(): string {
    const start = this.pos++;
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined || c < ' ') throw new SyntaxAt(this.pos);
      if (c === '"') break;
      if (c === '\\') {
        const esc = this.s[this.pos + 1] ?? '';
        if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.pos + 2, this.pos + 6))) this.pos += 6;
        else if ('"\\/bfnrt'.includes(esc) && esc !== '') this.pos += 2;
        else throw new SyntaxAt(this.pos);
      } else this.pos++;
    }
    this.pos++;
    return JSON.parse(this.s.slice(start, this.pos)) as string;
  }

  private number(): void {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) throw new SyntaxAt(this.pos);
    this.pos += m[0].length;
  }

  private literal(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.pos)) return void (this.pos += word.length);
    }
    throw new SyntaxAt(this.pos);
  }
}

function samePath(a: PathKey[], b: PathKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** Offset of the first syntax error, or undefined if the scanner finds none. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  try {
    new Scanner(text, undefined).run();
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxAt) return e.offset;
    if (e instanceof RangeError) return undefined; // nesting deeper than the stack
    throw e;
  }
}

/** Offset where the value at `path` starts, or undefined if it is not there. */
export function jsonValueOffset(text: string, path: PathKey[]): number | undefined {
  try {
    new Scanner(text, path).run();
    return undefined;
  } catch (e) {
    if (e instanceof Found) return e.offset;
    if (e instanceof SyntaxAt || e instanceof RangeError) return undefined;
    throw e;
  }
}
