/**
 * Printers for rolebindings and clusterrolebindings (upstream printRoleBinding,
 * printClusterRoleBinding with rbac.SubjectsStrings). Roles and clusterroles have no printer
 * upstream and get the default table.
 * Owns: these kinds' columns and cells. Must not: know HTTP, storage or other kinds.
 */
import type { KubeObject } from '../../../api/types.js';
import { AGE, column, columns, NAME, wide } from '../columns.js';
import { DOC } from '../descriptions.js';
import { age } from '../format.js';
import type { Printer, PrintContext } from '../types.js';

interface Binding extends KubeObject {
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

/** Cells of either binding kind: Role (`Kind/name`), Age, then Users, Groups, ServiceAccounts (`ns/name`). */
function bindingCells(obj: KubeObject, now: number): unknown[] {
  const b = obj as Binding;
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of b.subjects ?? []) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
  }
  return [
    b.metadata?.name ?? '',
    `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`,
    age(b, now),
    users.join(', '),
    groups.join(', '),
    serviceAccounts.join(', '),
  ];
}

/** rolebindings: Name, Role, Age; wide Users, Groups, ServiceAccounts. */
export const roleBindingPrinter: Printer = {
  columns: columns(
    NAME,
    column('Role', DOC.rbRoleRef),
    AGE,
    wide('Users', 'Users in the roleBinding'),
    wide('Groups', 'Groups in the roleBinding'),
    wide('ServiceAccounts', 'ServiceAccounts in the roleBinding'),
  ),
  cells: (obj: KubeObject, { now }: PrintContext): unknown[] => bindingCells(obj, now),
};

/** clusterrolebindings: Name, Role, Age; wide Users, Groups, ServiceAccounts. */
export const clusterRoleBindingPrinter: Printer = {
  columns: columns(
    NAME,
    column('Role', DOC.crbRoleRef),
    AGE,
    wide('Users', 'Users in the clusterRoleBinding'),
    wide('Groups', 'Groups in the clusterRoleBinding'),
    wide('ServiceAccounts', 'ServiceAccounts in the clusterRoleBinding'),
  ),
  cells: (obj: KubeObject, { now }: PrintContext): unknown[] => bindingCells(obj, now),
};
