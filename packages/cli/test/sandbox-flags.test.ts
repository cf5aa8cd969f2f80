import { expect } from 'chai';
import { Command } from 'commander';
import { byteSize, duration } from '../src/flags.js';
import { sandboxAgentOptions, withSandboxFlags, type SandboxFlags } from '../src/commands/sandbox-flags.js';

/** Parses `args` with the sandbox flags alone; returns the agent options they make. */
function parse(args: string[]): ReturnType<typeof sandboxAgentOptions> {
  const command = withSandboxFlags(new Command('agent').exitOverride().configureOutput({ writeErr: () => undefined }));
  command.parse(args, { from: 'user' });
  return sandboxAgentOptions(command.opts<SandboxFlags>());
}

describe('fetcher and sandbox GC flags', () => {
  it('default to Mesos\'s values: a 2 GB cache, gc_delay 1 week, headroom 0.1, disk watched every minute', () => {
    expect(parse([])).to.deep.equal({
      fetcherCacheSizeBytes: 2 * 1024 ** 3, fetcherMaxDownloadBytes: 2 * 1024 ** 3, gcDelayMs: 7 * 24 * 3_600_000, gcDiskHeadroom: 0.1, diskWatchIntervalMs: 60_000,
    });
  });

  it('take sizes and durations as Mesos writes them', () => {
    expect(parse(['--fetcher-cache-dir', '/var/cache/t', '--fetcher-cache-size', '512MB', '--fetcher-max-download-size', '1GB', '--gc-delay', '6hrs', '--gc-disk-headroom', '0.2', '--disk-watch-interval', '30secs'])).to.deep.equal({
      fetcherCacheDir: '/var/cache/t', fetcherCacheSizeBytes: 512 * 1024 ** 2, fetcherMaxDownloadBytes: 1024 ** 3, gcDelayMs: 6 * 3_600_000, gcDiskHeadroom: 0.2, diskWatchIntervalMs: 30_000,
    });
  });

  it('read plain numbers as bytes and ms, and refuse what is neither', () => {
    expect(byteSize('1000')).to.equal(1000);
    expect(byteSize('1.5KB')).to.equal(1536);
    expect(duration('250')).to.equal(250);
    expect(duration('1weeks')).to.equal(604_800_000);
    expect(() => byteSize('2 gigs')).to.throw("'2 gigs' is not a size (e.g. 2GB, 512MB, or a number of bytes)");
    expect(() => duration('0secs')).to.throw("'0secs' is not a positive duration");
    expect(() => duration('1week')).to.throw("'1week' is not a positive duration");
    expect(() => parse(['--gc-disk-headroom', '2'])).to.throw(/expected a fraction from 0 to 1, got '2'/);
  });
});
