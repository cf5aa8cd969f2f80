import { Type } from '@sinclair/typebox';
import { OfferSchema } from './mesos-types.js';

/** Messages the master sends to frameworks' scheduler drivers. */
export const masterMessages = {
  /** New offers for the framework (Mesos's ResourceOffersMessage; the v1 OFFERS event). */
  'master.ResourceOffers': Type.Object({ offers: Type.Array(OfferSchema) }, { additionalProperties: false }),
} as const;
