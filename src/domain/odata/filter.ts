// The OData 4.01 $filter subset RESO Web API Core 2.0.0 asks for (docs/reso.md), parsed to a small AST by
// recursive descent. Hand-written because no npm parser fits: @balena/odata-parser's generated parser evaluates
// code at run time (eval/new Function, which Workers refuse), odata-v4-parser and @odata/parser are unmaintained,
// and none of them type-checks against an allow-list of fields. This module only parses; the translation to SQL
// (services/reso/query.ts) decides which fields and operators each field type accepts.

export type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type StringFunction = "contains" | "startswith" | "endswith";

export type Literal =
  | { type: "string"; value: string }
  /** The literal's text, so no precision is lost to a JavaScript number. */
  | { type: "number"; text: string }
  | { type: "boolean"; value: boolean }
  | { type: "null" }
  | { type: "date"; text: string }
  | { type: "datetime"; text: string }
  | { type: "now" };

export type FilterExpression =
  | { kind: "and" | "or"; left: FilterExpression; right: FilterExpression }
  | { kind: "not"; operand: FilterExpression }
  | { kind: "compare"; op: ComparisonOperator; field: string; value: Literal }
  | { kind: "in"; field: string; values: Literal[] }
  | { kind: "function"; name: StringFunction; field: string; value: Literal }
  /** A Boolean field standing alone as a condition: `WaterfrontYN`. */
  | { kind: "field"; field: string };

/** A $filter the grammar refuses; `target` names the offending field when there is one. */
export class ODataSyntaxError extends Error {
  override readonly name = "ODataSyntaxError";
  readonly target: string | undefined;
  constructor(message: string, target?: string) {
    super(message);
    this.target = target;
  }
}

export const MAX_FILTER_LENGTH = 4_000;
export const MAX_FILTER_DEPTH = 32;
export const MAX_IN_VALUES = 200;
const MAX_LITERAL_LENGTH = 1_000;

type Token =
  | { kind: "punct"; text: "(" | ")" | ","; at: number }
  | { kind: "word"; text: string; at: number }
  | { kind: "literal"; literal: Literal; at: number };

const COMPARISONS: ReadonlySet<string> = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS: ReadonlySet<string> = new Set(["contains", "startswith", "endswith"]);
const UNSUPPORTED: Readonly<Record<string, string>> = {
  has: "`has` applies to enumerations; lookups here are Edm.String (Data Dictionary 2.0): use eq or in.",
  any: "Lambda operators (any/all) are not supported: this service has no collection fields.",
  all: "Lambda operators (any/all) are not supported: this service has no collection fields.",
  add: "Arithmetic operators are not supported.",
  sub: "Arithmetic operators are not supported.",
  mul: "Arithmetic operators are not supported.",
  div: "Arithmetic operators are not supported.",
  divby: "Arithmetic operators are not supported.",
  mod: "Arithmetic operators are not supported.",
};

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-]\d{2}:\d{2})/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?![\dT:])/i;
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*/;

function validDate(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // days in month m of a leap year
  if (d > days) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return !(m === 2 && d === 29 && !leap);
}

function datetimeLiteral(match: RegExpExecArray): Literal | undefined {
  const [, year, month, day, hour, minute, second, , zone] = match as unknown as string[];
  if (!validDate(year as string, month as string, day as string)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return undefined;
  if (zone && zone !== "Z" && zone !== "z") {
    const [zoneHours, zoneMinutes] = zone.slice(1).split(":").map(Number);
    if ((zoneHours as number) > 14 || (zoneMinutes as number) > 59) return undefined;
  }
  return { type: "datetime", text: match[0].toUpperCase() };
}

function stringLiteral(input: string, start: number): { value: string; end: number } {
  let value = "";
  let index = start + 1;
  for (;;) {
    const quote = input.indexOf("'", index);
    if (quote === -1) throw new ODataSyntaxError(`Unterminated string literal at position ${start}.`);
    value += input.slice(index, quote);
    if (input[quote + 1] === "'") {
      value += "'";
      index = quote + 2;
      continue;
    }
    return { value, end: quote + 1 };
  }
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < input.length) {
    const char = input[index] as string;
    if (char === " " || char === "\t" || char === "\n" || char === "\r") {
      index++;
      continue;
    }
    if (char === "(" || char === ")" || char === ",") {
      tokens.push({ kind: "punct", text: char, at: index });
      index++;
      continue;
    }
    if (char === "'") {
      const { value, end } = stringLiteral(input, index);
      if (value.length > MAX_LITERAL_LENGTH) {
        throw new ODataSyntaxError(`A string literal may hold at most ${MAX_LITERAL_LENGTH} characters.`);
      }
      tokens.push({ kind: "literal", literal: { type: "string", value }, at: index });
      index = end;
      continue;
    }
    const rest = input.slice(index, index + 64);
    const datetime = DATETIME.exec(rest);
    if (datetime) {
      const literal = datetimeLiteral(datetime);
      if (!literal) throw new ODataSyntaxError(`Invalid DateTimeOffset literal ${datetime[0]}.`);
      tokens.push({ kind: "literal", literal, at: index });
      index += datetime[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      if (!validDate(date[1] as string, date[2] as string, date[3] as string)) {
        throw new ODataSyntaxError(`Invalid Date literal ${date[0]}.`);
      }
      tokens.push({ kind: "literal", literal: { type: "date", text: date[0] }, at: index });
      index += date[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      if (number[0].length > 40 || !Number.isFinite(Number(number[0]))) {
        throw new ODataSyntaxError(`Number literal out of range at position ${index}.`);
      }
      tokens.push({ kind: "literal", literal: { type: "number", text: number[0] }, at: index });
      index += number[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word && word[0].length < 64) {
      const text = word[0];
      const literal: Literal | undefined =
        text === "true"
          ? { type: "boolean", value: true }
          : text === "false"
            ? { type: "boolean", value: false }
            : text === "null"
              ? { type: "null" }
              : undefined;
      tokens.push(literal ? { kind: "literal", literal, at: index } : { kind: "word", text, at: index });
      index += text.length;
      continue;
    }
    throw new ODataSyntaxError(`Unexpected character at position ${index}.`);
  }
  return tokens;
}

type Operand = { kind: "field"; name: string } | { kind: "literal"; literal: Literal };

class Parser {
  private position = 0;
  private depth = 0;
  private readonly tokens: Token[];
  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): FilterExpression {
    if (this.tokens.length === 0) throw new ODataSyntaxError("The $filter is empty.");
    const expression = this.or();
    const extra = this.tokens[this.position];
    if (extra) throw new ODataSyntaxError(`Unexpected ${describe(extra)} at position ${extra.at}.`);
    return expression;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token?.kind === "word" && token.text === text;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token?.kind === "punct" && token.text === text;
  }

  private expectPunct(text: "(" | ")" | ","): void {
    if (!this.isPunct(text)) {
      const token = this.peek();
      throw new ODataSyntaxError(
        token
          ? `Expected "${text}" but found ${describe(token)} at position ${token.at}.`
          : `Expected "${text}" but the $filter ended.`,
      );
    }
    this.position++;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw new ODataSyntaxError(`The $filter nests deeper than ${MAX_FILTER_DEPTH} levels.`);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private or(): FilterExpression {
    let left = this.and();
    while (this.isWord("or")) {
      this.position++;
      left = { kind: "or", left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpression {
    let left = this.unary();
    while (this.isWord("and")) {
      this.position++;
      left = { kind: "and", left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpression {
    if (this.isWord("not")) {
      this.position++;
      return this.nested(() => ({ kind: "not", operand: this.unary() }));
    }
    if (this.isPunct("(")) {
      this.position++;
      const inner = this.nested(() => this.or());
      this.expectPunct(")");
      return inner;
    }
    return this.condition();
  }

  private operand(): Operand {
    const token = this.peek();
    if (!token) throw new ODataSyntaxError("The $filter ended where a field or value was expected.");
    if (token.kind === "literal") {
      this.position++;
      return { kind: "literal", literal: token.literal };
    }
    if (token.kind === "word") {
      const unsupported = UNSUPPORTED[token.text];
      if (unsupported) throw new ODataSyntaxError(unsupported);
      if (COMPARISONS.has(token.text) || ["and", "or", "not", "in"].includes(token.text)) {
        throw new ODataSyntaxError(`Unexpected "${token.text}" at position ${token.at}.`);
      }
      this.position++;
      if (token.text === "now") {
        this.expectPunct("(");
        this.expectPunct(")");
        return { kind: "literal", literal: { type: "now" } };
      }
      if (this.isPunct("(")) {
        throw new ODataSyntaxError(`Unsupported function ${token.text}().`, token.text);
      }
      return { kind: "field", name: token.text };
    }
    throw new ODataSyntaxError(`Unexpected ${describe(token)} at position ${token.at}.`);
  }

  private stringFunction(name: StringFunction): FilterExpression {
    this.position++;
    this.expectPunct("(");
    const first = this.operand();
    this.expectPunct(",");
    const second = this.operand();
    this.expectPunct(")");
    if (first.kind !== "field" || second.kind !== "literal") {
      throw new ODataSyntaxError(`${name}() takes a field and then a string literal.`);
    }
    const call: FilterExpression = { kind: "function", name, field: first.name, value: second.literal };
    // `contains(City,'x') eq true` and `... eq false` are the same conditions written out.
    const token = this.peek();
    if (token?.kind === "word" && (token.text === "eq" || token.text === "ne")) {
      this.position++;
      const value = this.operand();
      if (value.kind !== "literal" || value.literal.type !== "boolean") {
        throw new ODataSyntaxError(`${name}() can only be compared with true or false.`);
      }
      const holds = value.literal.value === (token.text === "eq");
      return holds ? call : { kind: "not", operand: call };
    }
    return call;
  }

  private condition(): FilterExpression {
    const token = this.peek();
    if (token?.kind === "word" && FUNCTIONS.has(token.text)) {
      return this.stringFunction(token.text as StringFunction);
    }
    const left = this.operand();
    const next = this.peek();
    const unsupported = next?.kind === "word" ? UNSUPPORTED[next.text] : undefined;
    if (unsupported) throw new ODataSyntaxError(unsupported);
    if (next?.kind === "word" && next.text === "in") {
      this.position++;
      if (left.kind !== "field") throw new ODataSyntaxError("`in` needs a field on its left.");
      return { kind: "in", field: left.name, values: this.valueList() };
    }
    if (next?.kind === "word" && COMPARISONS.has(next.text)) {
      this.position++;
      const right = this.operand();
      return comparison(next.text as ComparisonOperator, left, right);
    }
    if (left.kind === "field") return { kind: "field", field: left.name };
    throw new ODataSyntaxError(
      next
        ? `Expected a comparison operator but found ${describe(next)} at position ${next.at}.`
        : "A value alone is not a condition.",
    );
  }

  private valueList(): Literal[] {
    this.expectPunct("(");
    const values: Literal[] = [];
    for (;;) {
      const value = this.operand();
      if (value.kind !== "literal") throw new ODataSyntaxError("`in` takes a list of literal values.");
      values.push(value.literal);
      if (values.length > MAX_IN_VALUES) {
        throw new ODataSyntaxError(`An \`in\` list may hold at most ${MAX_IN_VALUES} values.`);
      }
      if (this.isPunct(",")) {
        this.position++;
        continue;
      }
      this.expectPunct(")");
      return values;
    }
  }
}

const FLIPPED: Readonly<Record<ComparisonOperator, ComparisonOperator>> = {
  eq: "eq",
  ne: "ne",
  gt: "lt",
  ge: "le",
  lt: "gt",
  le: "ge",
};

function comparison(op: ComparisonOperator, left: Operand, right: Operand): FilterExpression {
  if (left.kind === "field" && right.kind === "literal") {
    return { kind: "compare", op, field: left.name, value: right.literal };
  }
  if (left.kind === "literal" && right.kind === "field") {
    return { kind: "compare", op: FLIPPED[op], field: right.name, value: left.literal };
  }
  if (left.kind === "field" && right.kind === "field") {
    throw new ODataSyntaxError(
      "Comparing two fields is not supported; compare a field with a value.",
      left.name,
    );
  }
  throw new ODataSyntaxError("A comparison needs a field on one side.");
}

function describe(token: Token): string {
  if (token.kind === "literal") return "a value";
  return `"${token.text}"`;
}

/** Parses a $filter; throws ODataSyntaxError naming what is wrong. */
export function parseFilter(input: string): FilterExpression {
  if (input.length > MAX_FILTER_LENGTH) {
    throw new ODataSyntaxError(`The $filter may be at most ${MAX_FILTER_LENGTH} characters.`);
  }
  return new Parser(tokenize(input)).parse();
}
