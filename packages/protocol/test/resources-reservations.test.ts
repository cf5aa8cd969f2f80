import { expect } from 'chai';
import { ResourceParseError, Resources, type ReservationInfo, type Resource } from '../src/index.js';

const cpus = (value: number, extra: Partial<Resource> = {}): Resource => ({ name: 'cpus', type: 'SCALAR', scalar: { value }, ...extra });
const dynamic = (role: string, more: Partial<ReservationInfo> = {}): ReservationInfo => ({ type: 'DYNAMIC', role, ...more });
const r = (text: string) => Resources.parse(text);

describe('Resources reservations and allocations', () => {
  it('keeps a reservation for a role apart from unreserved resources of the same name', () => {
    expect(r('cpus:1;cpus(eng):2').size).to.equal(2);
  });

  it('does not count reserved resources as containing unreserved ones', () => {
    expect(r('cpus(eng):4').contains(r('cpus:1'))).to.equal(false);
  });

  it('does not take unreserved resources when subtracting reserved ones', () => {
    expect(r('cpus:4').subtract(r('cpus(eng):1')).scalar('cpus')).to.equal(4);
  });

  it('treats cpus(role):2 as a STATIC reservation for role', () => {
    expect(r('cpus(eng):2').toJSON()).to.deep.equal([cpus(2, { reservations: [{ type: 'STATIC', role: 'eng' }] })]);
  });

  it("reads the deprecated role field: '*' is unreserved, a role is a static reservation", () => {
    const read = Resources.of([cpus(1, { role: '*' }), cpus(2, { role: 'eng' })]);
    expect(read.equals(r('cpus:1;cpus(eng):2'))).to.equal(true);
  });

  it('rejects a deprecated role field that disagrees with the reservations', () => {
    expect(() => Resources.of([cpus(1, { role: 'web', reservations: [dynamic('eng')] })])).to.throw(ResourceParseError, /disagrees/);
  });

  it('keeps STATIC and DYNAMIC reservations for one role apart', () => {
    expect(Resources.of([cpus(1, { reservations: [{ type: 'STATIC', role: 'eng' }] }), cpus(1, { reservations: [dynamic('eng')] })]).size).to.equal(2);
  });

  it('keeps reservations by different principals apart', () => {
    const list = [cpus(1, { reservations: [dynamic('eng', { principal: 'a' })] }), cpus(1, { reservations: [dynamic('eng', { principal: 'b' })] })];
    expect(Resources.of(list).size).to.equal(2);
  });

  it('combines reservations whose labels differ only in order', () => {
    const ab = { labels: [{ key: 'a', value: '1' }, { key: 'b' }] };
    const ba = { labels: [{ key: 'b' }, { key: 'a', value: '1' }] };
    const list = [cpus(1, { reservations: [dynamic('eng', { labels: ab })] }), cpus(1, { reservations: [dynamic('eng', { labels: ba })] })];
    expect(Resources.of(list).scalar('cpus')).to.equal(2);
    expect(Resources.of(list).size).to.equal(1);
  });

  it('keeps reservations with different labels apart', () => {
    const list = [
      cpus(1, { reservations: [dynamic('eng', { labels: { labels: [{ key: 'a', value: '1' }] } })] }),
      cpus(1, { reservations: [dynamic('eng', { labels: { labels: [{ key: 'a', value: '2' }] } })] }),
    ];
    expect(Resources.of(list).size).to.equal(2);
  });

  it('keeps a refined reservation apart from its parent reservation', () => {
    const parent = cpus(1, { reservations: [dynamic('eng')] });
    const refined = cpus(1, { reservations: [dynamic('eng'), dynamic('eng/web')] });
    expect(Resources.of([parent, refined]).size).to.equal(2);
  });

  it('rejects a refinement to a role that is not a sub-role', () => {
    expect(() => Resources.of([cpus(1, { reservations: [dynamic('eng'), dynamic('ops')] })])).to.throw(ResourceParseError, /not a refinement/);
  });

  it('rejects a STATIC refinement', () => {
    const bad = cpus(1, { reservations: [dynamic('eng'), { type: 'STATIC', role: 'eng/web' }] });
    expect(() => Resources.of([bad])).to.throw(ResourceParseError, /cannot be STATIC/);
  });

  it("rejects a reservation for role '*'", () => {
    expect(() => Resources.of([cpus(1, { reservations: [dynamic('*')] })])).to.throw(ResourceParseError, /'\*' cannot be reserved/);
  });

  it('keeps revocable resources apart from non-revocable ones', () => {
    expect(Resources.of([cpus(1), cpus(1, { revocable: {} })]).size).to.equal(2);
  });

  it('selects every reserved entry with reserved()', () => {
    expect(r('cpus:1;cpus(eng):2;mem(web):3').reserved().toString()).to.equal('cpus(eng):2;mem(web):3');
  });

  it('selects the entries reserved for one role with reserved(role)', () => {
    expect(r('cpus:1;cpus(eng):2;mem(web):3').reserved('web').toString()).to.equal('mem(web):3');
  });

  it('judges reserved(role) by the top of the reservation stack', () => {
    const refined = Resources.of([cpus(1, { reservations: [dynamic('eng'), dynamic('eng/web')] })]);
    expect([refined.reserved('eng').isEmpty(), refined.reserved('eng/web').isEmpty()]).to.deep.equal([true, false]);
  });

  it('selects the unreserved entries with unreserved()', () => {
    expect(r('cpus:1;cpus(eng):2;mem:3').unreserved().toString()).to.equal('cpus:1;mem:3');
  });

  it('offers a role its own, its ancestors’ and unreserved resources with allocatableTo', () => {
    const held = r('cpus:1;cpus(eng):2;cpus(eng/web):4;cpus(ops):8;cpus(eng/db):16');
    expect(held.allocatableTo('eng/web').scalar('cpus')).to.equal(7);
  });

  it('marks every entry allocated to a role with withAllocation', () => {
    expect(r('cpus:1;mem:2').withAllocation('eng').toJSON().map((x) => x.allocation_info)).to.deep.equal([{ role: 'eng' }, { role: 'eng' }]);
  });

  it('keeps resources allocated to different roles apart', () => {
    expect(r('cpus:1').withAllocation('a').add(r('cpus:1').withAllocation('b')).size).to.equal(2);
  });

  it('combines entries that differed only by allocation when reallocated', () => {
    const mixed = r('cpus:1').withAllocation('a').add(r('cpus:2').withAllocation('b'));
    expect(mixed.withAllocation('c').size).to.equal(1);
  });

  it('selects entries allocated to a role with allocatedTo', () => {
    const mixed = r('cpus:1').withAllocation('a').add(r('cpus:2').withAllocation('b'));
    expect(mixed.allocatedTo('b').scalar('cpus')).to.equal(2);
  });

  it('clears allocations with withoutAllocation', () => {
    expect(r('cpus:1').withAllocation('a').withoutAllocation().equals(r('cpus:1'))).to.equal(true);
  });

  it('rejects an invalid allocation role', () => {
    expect(() => r('cpus:1').withAllocation('../x')).to.throw(ResourceParseError);
  });

  it('hands filter predicates the wire form of each entry', () => {
    const held = r('cpus:1;cpus(eng):2');
    expect(held.filter((x) => x.reservations?.[0]?.role === 'eng').scalar('cpus')).to.equal(2);
  });
});
