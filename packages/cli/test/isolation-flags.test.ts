import { expect } from 'chai';
import { Command } from 'commander';
import { isolationAgentOptions, withIsolationFlags, type IsolationFlags } from '../src/commands/isolation-flags.js';

/** Parses `args` with the isolation flags alone; returns the agent options they make. */
function parse(args: string[]): ReturnType<typeof isolationAgentOptions> {
  const command = withIsolationFlags(new Command('agent').exitOverride().configureOutput({ writeErr: () => undefined }));
  command.parse(args, { from: 'user' });
  return isolationAgentOptions(command.opts<IsolationFlags>());
}

describe('isolation flags', () => {
  it('default to what the host has (auto), cgroups under tessera, 4096 pids, and no CFS quota (as Mesos)', () => {
    expect(parse([])).to.deep.equal({ isolation: 'auto', cgroupsRoot: 'tessera', cgroupsPidsLimit: 4096, cgroupsEnableCfs: false });
  });

  it('take Mesos\'s isolator names, the launcher, the root, the pids limit, and the CFS quota on', () => {
    expect(parse(['--isolation', 'cgroups/mem, namespaces/pid', '--launcher', 'posix', '--cgroups-root', 'a/b', '--cgroups-pids-limit', '100', '--cgroups-enable-cfs'])).to.deep.equal({
      isolation: 'cgroups/mem,namespaces/pid', launcher: 'posix', cgroupsRoot: 'a/b', cgroupsPidsLimit: 100, cgroupsEnableCfs: true,
    });
  });

  it('refuse an unknown isolator or launcher as a flag error, naming the known ones', () => {
    expect(() => parse(['--isolation', 'cgroups/mem,docker/runtime'])).to.throw(/unknown isolator docker\/runtime \(known: cgroups\/cpu, /);
    expect(() => parse(['--launcher', 'systemd'])).to.throw(/Allowed choices are linux, posix/);
    expect(() => parse(['--cgroups-pids-limit', '0'])).to.throw(/'0' is not a positive whole number/);
  });
});
