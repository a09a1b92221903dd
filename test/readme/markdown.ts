/**
 * Reading README.md as the harness needs it: its fenced blocks (with the line they open on, the
 * section they sit in and the prose just before them), the commands of a shell block, and the words
 * of one command. Only the shell the README writes is understood: words, '…' and "…" quotes,
 * `\` continuations, `#` comments, and the operators `&&`, `||`, `|` and `;`.
 */

export interface Block {
  /** The info string's first word (`sh`, `ts`, …), '' for a bare fence. */
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block. */
  readonly section: string;
  /** The prose between the previous block (or heading) and this one. */
  readonly before: string;
}

export function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let section = '';
  let prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (open === null) {
      const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]);
      if (heading !== null) {
        section = heading[1].trim();
        prose = [];
      } else {
        prose.push(lines[i]);
      }
      continue;
    }
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
      if (close.test(lines[j])) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ lang, text: body.join('\n'), line: i + 1, section, before: prose.join('\n').trim() });
    prose = [];
    i = j;
  }
  return blocks;
}

export interface ShellCommand {
  /** The command, continuations joined, its comment removed. */
  readonly text: string;
  /** What the `#` comments on its lines say ('' when none). */
  readonly comment: string;
  /** 1-based line within the block where it starts. */
  readonly line: number;
}

/** The commands of a shell block, one per logical line. */
export function shellCommands(text: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let parts: string[] = [];
  let comments: string[] = [];
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    if (parts.length === 0) start = i + 1;
    const { code, comment } = splitComment(raw);
    if (comment !== '') comments.push(comment);
    const continued = /\\\s*$/.test(code);
    parts.push(code.replace(/\\\s*$/, '').trim());
    if (continued) return;
    const command = parts.filter((part) => part !== '').join(' ');
    if (command !== '') commands.push({ text: command, comment: comments.join(' '), line: start });
    parts = [];
    comments = [];
  });
  if (parts.some((part) => part !== '')) throw new Error(`the block ends inside a \\ continuation: ${parts.join(' ')}`);
  return commands;
}

/** A line cut at its first `#` that starts a word outside quotes. */
function splitComment(line: string): { code: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return { code: line.slice(0, i), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line, comment: '' };
}

export const OPERATORS = ['&&', '||', '|', ';'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Token = { readonly word: string } | { readonly op: Operator };

/** The words (quotes removed) and operators of one command. */
export function tokens(command: string): Token[] {
  const out: Token[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  const end = (): void => {
    if (word !== undefined) out.push({ word });
    word = undefined;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      end();
    } else if (c === '&' || c === '|' || c === ';') {
      const op = OPERATORS.find((candidate) => command.startsWith(candidate, i));
      if (op === undefined) throw new Error(`unsupported shell operator at '${command.slice(i)}' in: ${command}`);
      end();
      out.push({ op });
      i += op.length - 1;
    } else {
      word = (word ?? '') + (c === '\\' ? command[++i] : c);
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} in: ${command}`);
  end();
  return out;
}

/** The simple commands of a command (split at every operator), each as its words. */
export function stages(command: string): string[][] {
  const result: string[][] = [[]];
  for (const token of tokens(command)) {
    if ('op' in token) result.push([]);
    else result[result.length - 1].push(token.word);
  }
  return result.filter((words) => words.length > 0);
}

/** The value of `--name V` or `--name=V` among `words`, or undefined. */
export function flag(words: readonly string[], name: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    if (words[i] === name) return words[i + 1];
    if (words[i].startsWith(`${name}=`)) return words[i].slice(name.length + 1);
  }
  return undefined;
}
