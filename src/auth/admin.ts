/**
 * The built-in administrator: its identity (kubemu-admin in system:masters) and its bearer token,
 * random per start or persisted under `<dir>/pki/` so a written kubeconfig stays valid.
 * Owns: the admin's name, groups and token file. Must not: know HTTP or certificates.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOptional, writeFileAtomic } from './files.js';
import { AUTHENTICATED_GROUP, MASTERS_GROUP, type UserInfo } from './user.js';

/** The admin's user name (CN of the admin client certificate, user of the admin token). */
export const ADMIN_USER = 'kubemu-admin';

/** The admin as authenticators report it: `kubemu-admin` in `system:masters`, `system:authenticated`. */
export function adminUser(): UserInfo {
  return { name: ADMIN_USER, groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };
}

/** The path of the persisted admin token under a data directory. */
export function adminTokenPath(dir: string): string {
  return join(dir, 'pki', 'admin.token');
}

/**
 * The admin bearer token: with `dir`, the one in `<dir>/pki/admin.token` (created with mode 0600
 * when missing or empty); without, a fresh random one. Tokens are 32 random bytes, base64url.
 */
export async function loadOrCreateAdminToken(options: { dir?: string } = {}): Promise<string> {
  if (options.dir === undefined) return newToken();
  const path = adminTokenPath(options.dir);
  const existing = (await readOptional(path))?.trim();
  if (existing) return existing;
  const token = newToken();
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}
