/**
 * Where a Mesos v1 message and Tessera's internal message differ in more than dropped fields,
 * both ways. Functions here take and give plain objects in the JSON shape and never mutate their
 * input. Every rule is listed in the package README, section "Wire formats".
 */

type Plain = Record<string, unknown>;

const isObject = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * FrameworkInfo from Mesos: the deprecated single `role` (clients without MULTI_ROLE still send
 * it) becomes `roles` when `roles` is empty, since Tessera only reads `roles`.
 */
export function frameworkInfoFromMesos(info: unknown): unknown {
  if (!isObject(info) || typeof info['role'] !== 'string') return info;
  const { role, ...rest } = info;
  const roles = Array.isArray(rest['roles']) ? rest['roles'] : [];
  return roles.length > 0 ? rest : { ...rest, roles: [role] };
}

/**
 * FrameworkInfo to a Mesos master: it accepts `roles` only with the MULTI_ROLE capability. One
 * role goes as `role` (and comes back as `roles`, see above); several get the capability added.
 */
export function frameworkInfoToMesos(info: unknown): unknown {
  if (!isObject(info) || !Array.isArray(info['roles']) || info['roles'].length === 0) return info;
  const capabilities = Array.isArray(info['capabilities']) ? (info['capabilities'] as Plain[]) : [];
  if (capabilities.some((c) => c['type'] === 'MULTI_ROLE')) return info;
  const { roles, ...rest } = info;
  if (roles.length === 1) return { ...rest, role: roles[0] };
  return { ...info, capabilities: [...capabilities, { type: 'MULTI_ROLE' }] };
}

function withPayloadField(message: Plain, payload: string, field: string, map: (value: unknown) => unknown): Plain {
  const body = message[payload];
  if (!isObject(body) || body[field] === undefined) return message;
  return { ...message, [payload]: { ...body, [field]: map(body[field]) } };
}

/** A scheduler Call as a Mesos client sends it → the internal shape. */
export function schedulerCallFromMesos(call: Plain): Plain {
  const subscribed = withPayloadField(call, 'subscribe', 'framework_info', frameworkInfoFromMesos);
  return withPayloadField(subscribed, 'update_framework', 'framework_info', frameworkInfoFromMesos);
}

/** An internal scheduler Call → what a Mesos master accepts. */
export function schedulerCallToMesos(call: Plain): Plain {
  const subscribed = withPayloadField(call, 'subscribe', 'framework_info', frameworkInfoToMesos);
  return withPayloadField(subscribed, 'update_framework', 'framework_info', frameworkInfoToMesos);
}

/**
 * An internal scheduler Event → Mesos's. Tessera's master sends inverse offers as an OFFERS event
 * with no offers; Mesos has an event of their own, INVERSE_OFFERS. Mesos's MasterInfo requires
 * `ip` and `port`, which the internal message may leave out: 0 stands for unknown.
 */
export function schedulerEventToMesos(event: Plain): Plain {
  const offers = event['offers'];
  if (event['type'] === 'OFFERS' && isObject(offers) && Array.isArray(offers['inverse_offers'])) {
    const { inverse_offers: inverse, ...regular } = offers;
    // Mesos's Event.Offers has no inverse_offers field: an empty list is just left out.
    if (inverse.length === 0) return { ...event, offers: regular };
    if (Array.isArray(regular['offers']) && regular['offers'].length > 0) {
      throw new Error('an OFFERS event carries offers and inverse offers at once; Mesos sends them as two events');
    }
    const { offers: _offers, ...rest } = event;
    return { ...rest, type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: inverse } };
  }
  const subscribed = event['subscribed'];
  if (isObject(subscribed) && isObject(subscribed['master_info'])) {
    const info = subscribed['master_info'];
    return { ...event, subscribed: { ...subscribed, master_info: { ip: 0, port: 0, ...info } } };
  }
  return event;
}

/** A Mesos scheduler Event → the internal shape (INVERSE_OFFERS becomes OFFERS, see above). */
export function schedulerEventFromMesos(event: Plain): Plain {
  const inverse = event['inverse_offers'];
  if (event['type'] !== 'INVERSE_OFFERS' || !isObject(inverse)) return event;
  const { inverse_offers: _inverse, ...rest } = event;
  return { ...rest, type: 'OFFERS', offers: { offers: [], inverse_offers: inverse['inverse_offers'] ?? [] } };
}

/** A Mesos executor Event → the internal shape. */
export function executorEventFromMesos(event: Plain): Plain {
  return withPayloadField(event, 'subscribed', 'framework_info', frameworkInfoFromMesos);
}
