import { expect } from 'chai';
import { isHttpMaster, redirectTarget, schedulerApiUrl } from '../src/http/master-url.js';

describe('HTTP master addresses', () => {
  it('tells an HTTP master from a pid', () => {
    expect(isHttpMaster('http://m1:5050')).to.equal(true);
    expect(isHttpMaster('HTTPS://m1:5050')).to.equal(true);
    expect(isHttpMaster('master@master')).to.equal(false);
    expect(isHttpMaster(undefined)).to.equal(false);
  });

  it('puts the scheduler API path on a master address, with or without a trailing slash or the path itself', () => {
    expect(schedulerApiUrl('http://m1:5050').href).to.equal('http://m1:5050/api/v1/scheduler');
    expect(schedulerApiUrl('http://m1:5050/').href).to.equal('http://m1:5050/api/v1/scheduler');
    expect(schedulerApiUrl('https://m1/api/v1/scheduler').href).to.equal('https://m1/api/v1/scheduler');
  });

  it('refuses what is not a master address, saying why', () => {
    expect(() => schedulerApiUrl('http://')).to.throw(TypeError, /is not a URL/);
    expect(() => schedulerApiUrl('http://m1:5050/master/state')).to.throw(TypeError, /not the path '\/master\/state'/);
    expect(() => schedulerApiUrl('http://u:p@m1:5050')).to.throw(TypeError, /credentials/);
    expect(() => schedulerApiUrl('http://m1:5050/?x=1')).to.throw(TypeError, /query or fragment/);
  });

  it('reads a protocol-relative Location with the scheme of the request it answers', () => {
    const from = new URL('https://standby:5050/api/v1/scheduler');
    expect(redirectTarget('//leader:5051/api/v1/scheduler', from)?.href).to.equal('https://leader:5051/api/v1/scheduler');
    expect(redirectTarget('//leader:5051/api/v1/scheduler', new URL('http://s:1/api/v1/scheduler'))?.href).to.equal('http://leader:5051/api/v1/scheduler');
  });

  it('takes an absolute Location as it is and a path against the same host, and refuses the rest', () => {
    const from = new URL('http://standby:5050/api/v1/scheduler');
    expect(redirectTarget('http://leader:5050/api/v1/scheduler', from)?.href).to.equal('http://leader:5050/api/v1/scheduler');
    expect(redirectTarget('/master/api/v1/scheduler', from)?.href).to.equal('http://standby:5050/master/api/v1/scheduler');
    expect(redirectTarget(undefined, from)).to.equal(undefined);
    expect(redirectTarget(' ', from)).to.equal(undefined);
    expect(redirectTarget('ftp://leader/x', from)).to.equal(undefined);
  });
});
