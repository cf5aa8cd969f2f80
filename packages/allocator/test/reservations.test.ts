import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { describe as lines, newState, offered, pass, r } from './support.js';

const dynamic = (text: string, role: string): Resources =>
  Resources.of(Resources.parse(text).toJSON().map((x) => ({ ...x, reservations: [{ type: 'DYNAMIC' as const, role, principal: 'ops' }] })));

describe('dynamic reservations', () => {
  it('RESERVE from an offer turns unreserved resources into the role\'s, counted and offered only to it', () => {
    const state = newState();
    state.addAgent('a', 'h', r('cpus:2;mem:200'));
    state.addFramework('web', ['web']);
    const [offer] = pass(state);
    // The framework reserves half of what it was offered, then declines everything.
    const from = r('cpus:1;mem:100').withAllocation('web');
    const to = dynamic('cpus:1;mem:100', 'web').withAllocation('web');
    state.transform('web', 'a', from, to);
    expect(state.agents.get('a')!.total.reserved('web').toJSON()).to.deep.equal(dynamic('cpus:1;mem:100', 'web').toJSON());
    expect(state.roles.get('web')!.reserved.toRecord()).to.deep.equal({ cpus: 1, mem: 100 });
    state.recover('web', 'a', offered(offer!).subtract(from).add(to));
    state.addFramework('other', ['other']);
    state.suppress('web');
    expect(lines(pass(state))).to.deep.equal(['other@a(other): cpus:1;mem:100']);
    state.revive('web');
    expect(pass(state).map((a) => `${a.frameworkId}: ${a.resources.reserved('web').isEmpty() ? 'unreserved' : 'reserved'}`)).to.deep.equal(['web: reserved']);
  });

  it('UNRESERVE gives the resources back to everyone', () => {
    const state = newState();
    state.addAgent('a', 'h', dynamic('cpus:1;mem:100', 'web'));
    state.addFramework('web', ['web']);
    const [offer] = pass(state);
    state.transform('web', 'a', offered(offer!), r('cpus:1;mem:100').withAllocation('web'));
    state.recover('web', 'a', r('cpus:1;mem:100').withAllocation('web'));
    expect(state.roles.get('web')?.reserved.isEmpty() ?? true).to.equal(true);
    state.suppress('web');
    state.addFramework('other', ['other']);
    expect(lines(pass(state))).to.deep.equal(['other@a(other): cpus:1;mem:100']);
  });
});
