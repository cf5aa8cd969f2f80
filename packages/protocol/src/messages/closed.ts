import { Type, type TProperties } from '@sinclair/typebox';

/** A closed object: every payload rejects fields its message does not define. */
export const Closed = <T extends TProperties>(props: T) => Type.Object(props, { additionalProperties: false });
