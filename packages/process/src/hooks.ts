import type { Envelope, MessageType } from '@tessera/protocol';
import type { UPID } from './upid.js';

/** Which messages a hook applies to; every field given must match. */
export interface MessageMatcher {
  type?: MessageType;
  from?: UPID;
  to?: UPID;
}

/** What the runtime does with a message a hook looked at. */
export type Interception = { action: 'deliver' } | { action: 'drop' } | { action: 'delay'; ms: number };

/** A hook that stays installed until removed. */
export interface InstalledHook {
  /** How many messages it has matched so far. */
  readonly matched: number;
  remove(): void;
}

interface Rule {
  matcher: MessageMatcher;
  effect: Interception;
  once: boolean;
  matched: number;
  onMatch?: (message: Envelope) => void;
}

function matches(matcher: MessageMatcher, message: Envelope): boolean {
  return (
    (matcher.type === undefined || matcher.type === message.type) &&
    (matcher.from === undefined || matcher.from === message.from) &&
    (matcher.to === undefined || matcher.to === message.to)
  );
}

/**
 * Test hooks on the messages a runtime delivers to its processes, after validation and before
 * the mailbox, as libprocess's FUTURE_MESSAGE / DROP_MESSAGE(S). Only messages delivered in this
 * runtime can be caught. Rules are checked in the order they were installed.
 */
export class MessageHooks {
  private rules: Rule[] = [];

  /** Resolves with the next matching message; the message is still delivered. */
  futureMessage(matcher: MessageMatcher): Promise<Envelope> {
    return new Promise((resolve) => {
      this.rules.push({ matcher, effect: { action: 'deliver' }, once: true, matched: 0, onMatch: resolve });
    });
  }

  /** Drops the next matching message, and resolves with it. */
  dropMessage(matcher: MessageMatcher): Promise<Envelope> {
    return new Promise((resolve) => {
      this.rules.push({ matcher, effect: { action: 'drop' }, once: true, matched: 0, onMatch: resolve });
    });
  }

  /** Drops every matching message until the hook is removed. */
  dropMessages(matcher: MessageMatcher): InstalledHook {
    return this.install({ matcher, effect: { action: 'drop' }, once: false, matched: 0 });
  }

  /** Holds every matching message for `ms` of the runtime's clock before delivering it. */
  delayMessages(matcher: MessageMatcher, ms: number): InstalledHook {
    return this.install({ matcher, effect: { action: 'delay', ms }, once: false, matched: 0 });
  }

  /** Removes every hook. */
  clear(): void {
    this.rules = [];
  }

  /** @internal decides a message's fate; the first drop or delay rule wins. */
  intercept(message: Envelope): Interception {
    if (this.rules.length === 0) return DELIVER;
    let outcome: Interception = DELIVER;
    for (const rule of [...this.rules]) {
      if (!matches(rule.matcher, message)) continue;
      if (outcome !== DELIVER && rule.effect.action !== 'deliver') continue;
      rule.matched += 1;
      if (rule.once) this.rules.splice(this.rules.indexOf(rule), 1);
      rule.onMatch?.(message);
      if (rule.effect.action !== 'deliver') outcome = rule.effect;
    }
    return outcome;
  }

  private install(rule: Rule): InstalledHook {
    this.rules.push(rule);
    return {
      get matched() {
        return rule.matched;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== rule);
      },
    };
  }
}

const DELIVER: Interception = { action: 'deliver' };
