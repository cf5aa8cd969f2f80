/** A call was made while the driver had no subscription (before SUBSCRIBED, after losing the master, or after stop). */
export class NotSubscribedError extends Error {
  constructor(readonly call: string, readonly state: string) {
    super(`not subscribed: cannot send ${call} while the driver is ${state}`);
    this.name = 'NotSubscribedError';
  }
}

/** A call the master would refuse: found at the caller, and nothing was sent. */
export class InvalidCallError extends Error {
  constructor(readonly call: string, readonly reason: string) {
    super(`invalid ${call} call: ${reason}`);
    this.name = 'InvalidCallError';
  }
}

/** The master answered SUBSCRIBE with ERROR. */
export class SubscriptionRefusedError extends Error {
  constructor(readonly masterMessage: string) {
    super(`the master refused the subscription: ${masterMessage}`);
    this.name = 'SubscriptionRefusedError';
  }
}

/** The driver stopped before the master answered SUBSCRIBE. */
export class DriverStoppedError extends Error {
  constructor() {
    super('the scheduler driver was stopped before it subscribed');
    this.name = 'DriverStoppedError';
  }
}
