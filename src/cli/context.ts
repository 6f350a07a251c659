// What every command gets: the output streams, the logger, the model, and small helpers for option values and
// output. Commands stay thin: parse and check input, call the model, shape the output.

import { InvalidArgumentError } from 'commander';

import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { MyRecModel } from '../model/index.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export class CliContext {
  private modelInstance: MyRecModel | undefined;

  constructor(
    readonly io: CliIo,
    readonly config: Config,
    readonly logger: Logger,
    readonly verbose: boolean,
  ) {}

  /** The model of DATA_DIR (created on first use). */
  model(threads?: number): MyRecModel {
    this.modelInstance ??= new MyRecModel({ dataDir: this.config.dataDir, threads: threads ?? this.config.threads });
    return this.modelInstance;
  }

  /** A line on stdout (the command's result). */
  print(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** One JSON document on stdout (for scripts: nothing else goes to stdout). */
  printJson(value: unknown, pretty = true): void {
    this.io.stdout.write(`${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
  }

  /** A line on stderr (progress, notes): never mixed into stdout. */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** Progress bars and transient messages only where a person is watching. */
  interactive(json: boolean): boolean {
    return !json && this.io.stderr.isTTY === true;
  }
}

// ---- option value parsers (commander calls them; a throw becomes a usage error, exit code 2) ----

export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer in ${min}..${max}.`);
    }
    return n;
  };
}

export function numberOption(
  min: number,
  max: number,
  {
    exclusive = false,
    minExclusive = exclusive,
    maxExclusive = exclusive,
  }: { exclusive?: boolean; minExclusive?: boolean; maxExclusive?: boolean } = {},
) {
  return (value: string): number => {
    const n = Number(value);
    const inRange = (minExclusive ? n > min : n >= min) && (maxExclusive ? n < max : n <= max);
    if (value.trim() === '' || !Number.isFinite(n) || !inRange) {
      const range =
        minExclusive && maxExclusive
          ? `between ${min} and ${max} (exclusive)`
          : minExclusive || maxExclusive
            ? `in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`
            : `in ${min}..${max}`;
      throw new InvalidArgumentError(`must be a number ${range}.`);
    }
    return n;
  };
}

// ---- formatting ----

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

export function fmtNum(n: number | undefined, digits = 4): string {
  return n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
