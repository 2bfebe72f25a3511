/**
 * Static token files, kube-apiserver's `--token-auth-file`: CSV read as Go's encoding/csv reads
 * it (quoted fields with `""` escapes, CRLF or LF, blank lines skipped, no comments), one user
 * per record:
 *
 *   token,user,uid[,"group1,group2"]
 *   admin-token,admin,admin,"system:masters"
 *
 * A record with fewer than three fields or a CSV syntax error stops the load with the file,
 * line and column; an empty token is skipped and a repeated token replaces the earlier one
 * (both reported as warnings, as upstream logs them).
 * Owns: the token file format. Must not: know HTTP (tokenAuthenticator serves the table).
 */
import { readFile } from 'node:fs/promises';
import type { UserInfo } from './user.js';

/** What a token file holds. */
export interface TokenFile {
  /** Token → user (without `system:authenticated`, which authentication adds). */
  tokens: Map<string, UserInfo>;
  /** Lines upstream would log a warning for. */
  warnings: string[];
}

/** A token file that cannot be used; the message names the file and line. */
export class TokenFileError extends Error {}

/** Reads and parses the token file at `path`; throws TokenFileError when it cannot be read or parsed. */
export async function loadTokenFile(path: string): Promise<TokenFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TokenFileError(`cannot read token file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTokenFile(text, path);
}

/** Parses token-file text; `path` is only used in messages. Throws TokenFileError on malformed records. */
export function parseTokenFile(text: string, path = '<token file>'): TokenFile {
  const tokens = new Map<string, UserInfo>();
  const warnings: string[] = [];
  let recordNumber = 0;
  for (const { fields, line } of csvRecords(text, path)) {
    if (fields.length < 3)
      throw new TokenFileError(`token file "${path}" line ${line}: must have at least 3 columns (token, user name, user uid), found ${fields.length}`);
    recordNumber++;
    const [token, name, uid, groups] = fields as [string, string, string, string | undefined];
    if (token === '') {
      warnings.push(`empty token has been found in token file "${path}", record number ${recordNumber} (line ${line})`);
      continue;
    }
    if (tokens.has(token)) warnings.push(`duplicate token has been found in token file "${path}", record number ${recordNumber} (line ${line})`);
    const user: UserInfo = { name, groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== '') };
    tokens.set(token, uid ? { ...user, uid } : user);
  }
  return { tokens, warnings };
}

/** One CSV record and the line it starts on (1-based). */
interface CsvRecord {
  fields: string[];
  line: number;
}

/** Go's csv.Reader with FieldsPerRecord = -1: records of any length, strict quotes. */
function* csvRecords(text: string, path: string): Generator<CsvRecord> {
  const input = text.replace(/\r\n/g, '\n');
  let pos = 0;
  let line = 1;
  const syntaxError = (at: number, what: string, startLine: number): TokenFileError => {
    const lineStart = input.lastIndexOf('\n', at - 1) + 1;
    const column = at - lineStart + 1;
    const where = startLine !== line ? `record on line ${startLine}; parse error on line ${line}` : `parse error on line ${line}`;
    return new TokenFileError(`token file "${path}": ${where}, column ${column}: ${what}`);
  };
  while (pos < input.length) {
    if (input[pos] === '\n') {
      pos++;
      line++;
      continue; // blank line
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (input[pos] === '"') {
        pos++;
        for (;;) {
          const quote = input.indexOf('"', pos);
          if (quote === -1) {
            line += input.slice(pos).split('\n').length - 1;
            throw syntaxError(input.length, 'extraneous or missing " in quoted-field', startLine);
          }
          const chunk = input.slice(pos, quote);
          line += chunk.split('\n').length - 1;
          value += chunk;
          pos = quote + 1;
          if (input[pos] === '"') {
            value += '"';
            pos++;
          } else if (pos >= input.length || input[pos] === ',' || input[pos] === '\n') {
            break;
          } else {
            throw syntaxError(pos, 'extraneous or missing " in quoted-field', startLine);
          }
        }
      } else {
        let end = pos;
        while (end < input.length && input[end] !== ',' && input[end] !== '\n') end++;
        value = input.slice(pos, end);
        const bare = value.indexOf('"');
        if (bare !== -1) throw syntaxError(pos + bare, 'bare " in non-quoted-field', startLine);
        pos = end;
      }
      fields.push(value);
      if (input[pos] === ',') {
        pos++;
        continue;
      }
      break;
    }
    yield { fields, line: startLine };
    if (input[pos] === '\n') {
      pos++;
      line++;
    }
  }
}
