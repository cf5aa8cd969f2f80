import { expect } from 'chai';
import { modeString, parseStat, parseStatm, wholeCharacters } from '../src/index.js';

describe('agent operator helpers', () => {
  it('parses /proc/<pid>/stat with a command name holding spaces and parentheses', () => {
    const line = '4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 12345 1000000 300 18446744073709551615';
    expect(parseStat(line)).to.deep.equal({ pid: 4242, pgid: 4240, utimeTicks: 250, stimeTicks: 75 });
    expect(parseStat('garbage')).to.equal(undefined);
  });

  it('reads the resident pages from /proc/<pid>/statm', () => {
    expect(parseStatm('1000 300 50 1 0 200 0\n')).to.equal(300);
  });

  it('cuts a read before a UTF-8 character split by the read boundary', () => {
    const euro = Buffer.from('ab€', 'utf8'); // 61 62 e2 82 ac
    expect(wholeCharacters(euro)).to.equal(5);
    expect(wholeCharacters(euro.subarray(0, 4))).to.equal(2);
    expect(wholeCharacters(euro.subarray(0, 3))).to.equal(2);
    expect(wholeCharacters(Buffer.from('plain'))).to.equal(5);
  });

  it('writes modes as ls -l does', () => {
    expect(modeString(0o40755)).to.equal('drwxr-xr-x');
    expect(modeString(0o100640)).to.equal('-rw-r-----');
  });
});
