import { inflateRawSync, inflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildAppPackage, colorIcon, crc32, outlineIcon, renderManifest } from './appPackage.ts';
import { cardText, messageText } from './escape.ts';

/** Reads back our own zip: name → data, checking each CRC. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (buf.readUInt32LE(at) === 0x04034b50) {
    const crc = buf.readUInt32LE(at + 14);
    const size = buf.readUInt32LE(at + 18);
    const nameLen = buf.readUInt16LE(at + 26);
    const name = buf.subarray(at + 30, at + 30 + nameLen).toString('utf8');
    const data = inflateRawSync(buf.subarray(at + 30 + nameLen, at + 30 + nameLen + size));
    expect(crc32(data), name).to.equal(crc);
    out.set(name, data);
    at += 30 + nameLen + size;
  }
  return out;
}

function pngSize(buf: Buffer): [number, number] {
  expect(buf.subarray(1, 4).toString('latin1')).to.equal('PNG');
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

describe('Teams app package', () => {
  const vars = { TEAMS_APP_ID: '0b7d2f1e-8c3a-4d5e-9f10-112233445566', PUBLIC_URL: 'https://minutes.example.com/', APP_VERSION: '0.1.0' };

  it('holds the rendered manifest and both icons at the sizes Teams requires', () => {
    const files = unzip(buildAppPackage(vars));
    expect([...files.keys()]).to.deep.equal(['manifest.json', 'color.png', 'outline.png']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.id).to.equal(vars.TEAMS_APP_ID);
    expect(manifest.bots[0].botId).to.equal(vars.TEAMS_APP_ID);
    expect(manifest.bots[0].scopes).to.have.members(['personal', 'team', 'groupChat']);
    expect(manifest.webApplicationInfo.id).to.equal(vars.TEAMS_APP_ID);
    expect(manifest.validDomains).to.deep.equal(['minutes.example.com']);
    const rsc = manifest.authorization.permissions.resourceSpecific.map((p: { name: string }) => p.name);
    expect(rsc).to.include.members(['OnlineMeeting.ReadBasic.Chat', 'OnlineMeetingTranscript.Read.Chat', 'ChatMessage.Read.Chat']);
    expect(JSON.stringify(manifest)).not.to.include('{{');
    expect(pngSize(files.get('color.png')!)).to.deep.equal([192, 192]);
    expect(pngSize(files.get('outline.png')!)).to.deep.equal([32, 32]);
  });

  it('draws the outline icon white on transparent only', () => {
    const buf = outlineIcon();
    const idat = buf.indexOf('IDAT');
    const raw = inflateSync(buf.subarray(idat + 4, idat + 4 + buf.readUInt32BE(idat - 4)));
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
      const o = y * 129 + 1 + x * 4;
      const px = [...raw.subarray(o, o + 4)];
      expect(px[3] === 0 || (px[0] === 255 && px[1] === 255 && px[2] === 255 && px[3] === 255), `pixel ${x},${y}`).to.equal(true);
    }
    expect(colorIcon().length).to.be.greaterThan(100);
  });

  it('refuses an app id that is not a GUID, a non-https URL and unknown template variables', () => {
    const template = readFileSync(new URL('./manifest/manifest.json', import.meta.url), 'utf8');
    expect(() => renderManifest(template, { ...vars, TEAMS_APP_ID: 'x"}' })).to.throw(/GUID/);
    expect(() => renderManifest(template, { ...vars, PUBLIC_URL: 'http://minutes.example.com' })).to.throw(/https/);
    expect(() => renderManifest('{"a":"{{NOPE}}"}', vars)).to.throw(/NOPE/);
  });
});

describe('Teams text escaping', () => {
  it('leaves said words inert in cards and messages', () => {
    const hostile = '**Ship** [it](https://evil.example) <at>everyone</at> {{DATE(2020-01-01T00:00:00Z)}} @channel\n- list';
    const card = cardText(hostile);
    expect(card).not.to.match(/(^|[^\\])\*\*/);
    expect(card).to.include('\\[it\\]\\(https://evil.example\\)');
    expect(card).not.to.include('{{');
    expect(card).not.to.include('\n');
    const msg = messageText(hostile);
    expect(msg).not.to.include('<at>');
    expect(msg).to.include('&lt;at&gt;');
    expect(messageText('- item')).to.equal('\\- item');
  });
});
