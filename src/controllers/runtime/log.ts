/**
 * The logger the runtime and controllers write to: pino's call shape (`log.info(fields, message)`),
 * so the server passes its fastify logger as it is; tests and the library default to silence.
 * Owns: the Logger type. Must not: format or route logs.
 */

/** Structured logging, pino-compatible. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const ignore = () => {};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** The message and StatusError code of an error, for log fields. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { err: String(err) };
  const code = (err as { code?: unknown }).code;
  return code === undefined ? { err: err.message } : { err: err.message, code };
}
