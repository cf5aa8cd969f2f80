import type { Label, ReservationInfo, Resource } from './resource-schema.js';
import { isStrictSubrole, roleNameError } from './roles.js';

/**
 * Everything besides name, type and value that decides whether two resources combine: the
 * reservation stack, the allocation role, revocability and sharing. Immutable; `id` is equal for
 * two Metas exactly when they combine, so comparing resources never walks reservation labels.
 */
export class Meta {
  /** Unreserved, unallocated, not revocable, not shared: the metadata of most resources. */
  static readonly PLAIN = new Meta([], undefined, false, false);

  /** Canonical JSON of all the fields; see `canonicalReservation` for why it is canonical. */
  readonly id: string;
  // An allocator re-labels the same few metadata with the same few roles on every offer, so the
  // results are remembered; at most one per role.
  private readonly allocations = new Map<string | undefined, Meta>();

  private constructor(
    /** Canonical and frozen; empty when unreserved. The last entry is the reservation role. */
    readonly reservations: readonly ReservationInfo[],
    readonly allocationRole: string | undefined,
    readonly revocable: boolean,
    readonly shared: boolean,
  ) {
    this.id = JSON.stringify([reservations, allocationRole ?? null, revocable, shared]);
  }

  /** The Meta for these fields; `reservations` must be canonical. */
  static of(reservations: readonly ReservationInfo[], allocationRole: string | undefined, revocable: boolean, shared: boolean): Meta {
    if (reservations.length === 0 && allocationRole === undefined && !revocable && !shared) return Meta.PLAIN;
    return new Meta(Object.freeze(reservations), allocationRole, revocable, shared);
  }

  /** The role the resource is reserved for (the top of the stack), or undefined when unreserved. */
  get reservationRole(): string | undefined {
    return this.reservations[this.reservations.length - 1]?.role;
  }

  /** The same metadata allocated to `role` (or to none). */
  withAllocation(role: string | undefined): Meta {
    if (role === this.allocationRole) return this;
    let meta = this.allocations.get(role);
    if (meta === undefined) {
      meta = Meta.of(this.reservations, role, this.revocable, this.shared);
      this.allocations.set(role, meta);
    }
    return meta;
  }
}

/**
 * Reads and validates the metadata of a wire resource, as Mesos's `Resources::validate` does, or
 * says why it is invalid. A lone `role` is the pre-1.4 form: `'*'` is unreserved, anything else
 * a STATIC reservation.
 */
export function decodeMeta(r: Resource): Meta | string {
  const stack = r.reservations ?? [];
  let reservations: ReservationInfo[] = [];
  if (stack.length > 0) {
    for (let i = 0; i < stack.length; i++) {
      const { type, role } = stack[i]!;
      const problem = roleNameError(role);
      if (problem) return problem;
      if (role === '*') return "role '*' cannot be reserved";
      if (i > 0) {
        // A refinement narrows the reservation to a sub-role, and only operations make those.
        if (type !== 'DYNAMIC') return 'a refined reservation cannot be STATIC';
        if (!isStrictSubrole(role, stack[i - 1]!.role)) return `role '${role}' is not a refinement of '${stack[i - 1]!.role}'`;
      }
    }
    if (r.role !== undefined && (stack.length > 1 || r.role !== stack[0]!.role)) {
      return `the deprecated 'role' field ('${r.role}') disagrees with 'reservations'`;
    }
    reservations = stack.map(canonicalReservation);
  } else if (r.role !== undefined) {
    const problem = roleNameError(r.role);
    if (problem) return problem;
    if (r.role !== '*') reservations = [{ type: 'STATIC', role: r.role }];
  }
  const allocationRole = r.allocation_info?.role;
  if (allocationRole !== undefined) {
    const problem = roleNameError(allocationRole);
    if (problem) return problem;
  }
  return Meta.of(reservations, allocationRole, r.revocable !== undefined, r.shared !== undefined);
}

/**
 * A reservation in canonical form, so equal reservations have equal ids: fields in a fixed
 * order, labels sorted (Mesos compares them as a multiset), and an empty label list dropped.
 */
function canonicalReservation(r: ReservationInfo): ReservationInfo {
  const out: ReservationInfo = { type: r.type, role: r.role };
  if (r.principal !== undefined) out.principal = r.principal;
  if (r.labels !== undefined && r.labels.labels.length > 0) {
    out.labels = { labels: r.labels.labels.map(copyLabel).sort(compareLabels) };
  }
  return deepFreeze(out);
}

/** A fresh, mutable copy of a reservation, for the wire. */
export function copyReservation(r: ReservationInfo): ReservationInfo {
  const out: ReservationInfo = { type: r.type, role: r.role };
  if (r.principal !== undefined) out.principal = r.principal;
  if (r.labels !== undefined) out.labels = { labels: r.labels.labels.map(copyLabel) };
  return out;
}

function copyLabel(l: Label): Label {
  return l.value === undefined ? { key: l.key } : { key: l.key, value: l.value };
}

function compareLabels(x: Label, y: Label): number {
  if (x.key !== y.key) return x.key < y.key ? -1 : 1;
  if (x.value === y.value) return 0;
  if (x.value === undefined) return -1;
  if (y.value === undefined) return 1;
  return x.value < y.value ? -1 : 1;
}

/** Freezes an object graph, so a shared wire view cannot be changed through one of its holders. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
