import { expect } from 'chai';
import { containedCommand, limitsToSet, parseLimits, prlimitOptions } from '../src/container-launch.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max data size             unlimited            unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max open files            1024                 1024                 files     
Max nice priority         0                    0                    
`;

describe('container launch: the wrappers a task needs (pure)', () => {
  const own = parseLimits(LIMITS);
  const line = { file: '/bin/true', args: ['a'], fallback: { file: '/bin/sh', args: ['-c', '/bin/true a'] } };

  it('reads /proc/<pid>/limits by Mesos\'s types, unlimited as undefined, rows without units too', () => {
    expect(own.get('RLMT_NOFILE')).to.deep.equal({ soft: 1024, hard: 1024 });
    expect(own.get('RLMT_CORE')).to.deep.equal({ soft: 0, hard: undefined });
    expect(own.get('RLMT_CPU')).to.deep.equal({ soft: undefined, hard: undefined });
    expect(own.get('RLMT_NICE')).to.deep.equal({ soft: 0, hard: 0 });
    expect(own.has('RLMT_STACK')).to.equal(false);
  });

  it('keeps only the limits the launcher does not have already', () => {
    expect(limitsToSet([
      { type: 'RLMT_NOFILE', soft: 1024, hard: 1024 }, // inherited
      { type: 'RLMT_CPU' }, // unlimited, inherited
      { type: 'RLMT_DATA', soft: 1048576, hard: 1048576 },
      { type: 'RLMT_CORE' }, // unlimited, but the launcher's soft limit is 0
      { type: 'RLMT_STACK', soft: 8, hard: 8 }, // unknown to the launcher: set
    ], own).map((l) => l.type)).to.deep.equal(['RLMT_DATA', 'RLMT_CORE', 'RLMT_STACK']);
  });

  it('writes prlimit options in each limit\'s own unit, unset sides as unlimited', () => {
    expect(prlimitOptions([{ type: 'RLMT_DATA', soft: 5, hard: 6 }, { type: 'RLMT_CORE' }, { type: 'RLMT_MSGQUEUE', soft: 1, hard: 1 }]))
      .to.deep.equal(['--data=5:6', '--core=unlimited:unlimited', '--msgqueue=1:1']);
  });

  it('returns the command line as it is when everything is inherited: no process but the task\'s', () => {
    expect(containedCommand(line, { cgroups: ['/sys/fs/cgroup/pids/x'], rlimits: [{ type: 'RLMT_NOFILE', soft: 1024, hard: 1024 }] }, '/sb', own))
      .to.deep.equal({ ...line, wrappers: [] });
    expect(containedCommand(line, undefined, '/sb', own)).to.deep.equal({ ...line, wrappers: [] });
  });

  it('sets differing limits with prlimit, which execs the command itself', () => {
    expect(containedCommand(line, { rlimits: [{ type: 'RLMT_NOFILE', soft: 64, hard: 64 }] }, '/sb', own))
      .to.deep.equal({ file: 'prlimit', args: ['--nofile=64:64', '--', '/bin/true', 'a'], wrappers: ['prlimit'] });
  });

  it('puts a pid namespace outside the limits, with unshare', () => {
    expect(containedCommand(line, { pid_namespace: true, rlimits: [{ type: 'RLMT_DATA', soft: 1, hard: 1 }] }, '/sb', own)).to.deep.equal({
      file: 'unshare',
      args: ['--pid', '--fork', '--kill-child', '--mount-proc', '--', 'prlimit', '--data=1:1', '--', '/bin/true', 'a'],
      wrappers: ['unshare', 'prlimit'],
    });
  });

  it('builds the filesystem with bubblewrap, /tmp before the sandbox, and takes the pid namespace into it', () => {
    expect(containedCommand(line, { filesystem: { private_tmp: true, read_only_host: true }, pid_namespace: true }, '/tmp/sb', own)).to.deep.equal({
      file: 'bwrap',
      args: ['--ro-bind', '/', '/', '--dev', '/dev', '--tmpfs', '/tmp', '--bind', '/tmp/sb', '/tmp/sb', '--unshare-pid', '--as-pid-1', '--proc', '/proc', '--', '/bin/true', 'a'],
      wrappers: ['bwrap'],
    });
    expect(containedCommand(line, { filesystem: { private_tmp: true, read_only_host: false } }, '/sb', own).args.slice(0, 7))
      .to.deep.equal(['--bind', '/', '/', '--dev-bind', '/dev', '/dev', '--tmpfs']);
    expect(containedCommand(line, { filesystem: { private_tmp: false, read_only_host: false } }, '/sb', own).wrappers).to.deep.equal([]);
  });
});
