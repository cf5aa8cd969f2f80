import { expect } from 'chai';
import { Command } from 'commander';
import { containerWatchAgentOptions, withContainerWatchFlags, type ContainerWatchFlags } from '../src/commands/container-watch-flags.js';

/** Parses `args` with the disk/du and network/ports flags alone; returns the agent options they make. */
function parse(args: string[]): ReturnType<typeof containerWatchAgentOptions> {
  const command = withContainerWatchFlags(new Command('agent').exitOverride().configureOutput({ writeErr: () => undefined }));
  command.parse(args, { from: 'user' });
  return containerWatchAgentOptions(command.opts<ContainerWatchFlags>());
}

describe('disk/du and network/ports flags', () => {
  it('default to Mesos\'s: nothing enforced, sandboxes measured every 15 s, ports checked every 30 s', () => {
    expect(parse([])).to.deep.equal({ enforceContainerDiskQuota: false, containerDiskWatchIntervalMs: 15_000, enforceContainerPorts: false, containerPortsWatchIntervalMs: 30_000 });
  });

  it('turn enforcement on and take intervals as Mesos writes them', () => {
    expect(parse(['--enforce-container-disk-quota', '--container-disk-watch-interval', '1mins', '--enforce-container-ports', '--container-ports-watch-interval', '500ms'])).to.deep.equal({
      enforceContainerDiskQuota: true, containerDiskWatchIntervalMs: 60_000, enforceContainerPorts: true, containerPortsWatchIntervalMs: 500,
    });
  });

  it('refuse an interval that is not a positive duration', () => {
    expect(() => parse(['--container-disk-watch-interval', '0secs'])).to.throw(/'0secs' is not a positive duration/);
    expect(() => parse(['--container-ports-watch-interval', 'often'])).to.throw(/'often' is not a positive duration/);
  });
});
