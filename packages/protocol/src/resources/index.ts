/**
 * Resources: the Mesos v1 `Resource` wire schema and the `Resources` value type that does
 * Mesos's resource arithmetic (fixed-point scalars, merged intervals, item sets, reservations).
 */
export {
  AllocationInfoSchema,
  LabelSchema,
  LabelsSchema,
  ReservationInfoSchema,
  ReservationTypeSchema,
  ResourceSchema,
  ResourceTypeSchema,
  ResourcesSchema,
  RevocableInfoSchema,
  SharedInfoSchema,
  ValueRangeSchema,
  ValueRangesSchema,
  ValueScalarSchema,
  ValueSetSchema,
  resourceNames,
  type AllocationInfo,
  type Label,
  type Labels,
  type ReservationInfo,
  type ReservationType,
  type Resource,
  type ResourceName,
  type ResourceType,
  type ValueRange,
  type ValueRanges,
  type ValueScalar,
  type ValueSet,
} from './resource-schema.js';
export { ResourceParseError } from './errors.js';
export { resourceError } from './entry.js';
export { ANY_ROLE, isStrictSubrole, roleNameError } from './roles.js';
export { Resources, parseResources } from './resources.js';
