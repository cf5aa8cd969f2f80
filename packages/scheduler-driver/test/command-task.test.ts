import { expect } from 'chai';
import { Resources } from '@tessera/protocol';
import { commandTask } from '../src/command-task.js';
import { offer } from './support.js';

describe('commandTask', () => {
  it('builds a shell TaskInfo on the offer\'s agent from flag-syntax resources', () => {
    const task = commandTask({ id: 't1', command: 'echo hi', resources: 'cpus:0.5;mem:64', offer: offer('o1', 'a1') });
    expect(task).to.deep.equal({
      name: 't1',
      task_id: { value: 't1' },
      agent_id: { value: 'a1' },
      resources: Resources.parse('cpus:0.5;mem:64').toJSON(),
      command: { value: 'echo hi', shell: true },
    });
  });

  it('marks the resources allocated to the role of the offer', () => {
    const o = offer('o1', 'a1');
    o.resources = Resources.parse('cpus:4;mem:1024').withAllocation('web').toJSON();
    const task = commandTask({ id: 't1', name: 'web server', command: 'sleep 1', resources: 'cpus:1', offer: o });
    expect(task.name).to.equal('web server');
    expect(task.resources).to.deep.equal([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'web' } }]);
  });

  it('takes a Resources value and a full CommandInfo as they are', () => {
    const command = { value: '/bin/true', shell: false, arguments: ['/bin/true'] };
    const task = commandTask({ id: 't2', command, resources: Resources.parse('mem:32'), offer: offer('o1', 'a1') });
    expect(task.command).to.deep.equal(command);
    expect(task.resources).to.deep.equal(Resources.parse('mem:32').toJSON());
  });

  it('refuses a task the offer cannot hold, naming both', () => {
    expect(() => commandTask({ id: 't3', command: 'x', resources: 'cpus:8', offer: offer('o9', 'a1', 'cpus:2') }))
      .to.throw(/offer o9 cannot hold task t3: it wants cpus:8/);
  });

  it('refuses an empty id, an empty command and resources that do not parse', () => {
    const o = offer('o1', 'a1');
    expect(() => commandTask({ id: '', command: 'x', resources: 'cpus:1', offer: o })).to.throw(/id must be/);
    expect(() => commandTask({ id: 't', command: '  ', resources: 'cpus:1', offer: o })).to.throw(/command must be/);
    expect(() => commandTask({ id: 't', command: 'x', resources: 'cpus:-1', offer: o })).to.throw();
  });
});
