import { expect } from 'chai';
import { cellText, formatScalars, formatTable, usedOfTotal } from '../src/operator-client/table.js';

describe('operator table formatter', () => {
  it('pads columns to their widest cell, numbers to the right, without trailing spaces', () => {
    const rows = [{ id: 't-1', cpus: 0.5 }, { id: 'task-long', cpus: 12 }];
    const text = formatTable([{ header: 'TASK', value: (r: typeof rows[number]) => r.id }, { header: 'CPUS', value: (r) => r.cpus, align: 'right' }], rows);
    expect(text).to.equal([
      'TASK       CPUS',
      't-1         0.5',
      'task-long    12',
      '',
    ].join('\n'));
  });

  it('leaves a last left-aligned column unpadded', () => {
    const text = formatTable([{ header: 'A', value: (r: string) => r }, { header: 'NAME', value: (r) => r }], ['x', 'longer']);
    expect(text).to.equal('A       NAME\nx       x\nlonger  longer\n');
  });

  it('prints only the header for no rows', () => {
    expect(formatTable([{ header: 'ID', value: (r: string) => r }], [])).to.equal('ID\n');
  });

  it('shows nothing as -, booleans as yes/no, fractions with two decimals', () => {
    expect([cellText(undefined), cellText(''), cellText(true), cellText(false), cellText(1 / 3), cellText(7)]).to.deep.equal(['-', '-', 'yes', 'no', '0.33', '7']);
  });

  it('shows used of total and scalar maps in flag syntax', () => {
    expect(usedOfTotal(0.25, 4)).to.equal('0.25/4');
    expect(usedOfTotal(undefined, 4)).to.equal('0/4');
    expect(formatScalars({ cpus: { value: 4 }, mem: { value: 1024 } })).to.equal('cpus:4;mem:1024');
    expect(formatScalars({})).to.equal('-');
    expect(formatScalars(undefined)).to.equal('-');
  });
});
