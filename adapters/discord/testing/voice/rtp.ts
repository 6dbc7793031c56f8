import { createCipheriv } from 'node:crypto';

/**
 * The UDP side of Discord's voice protocol, as the fake server speaks it:
 * IP discovery and transport-encrypted RTP in `aead_aes256_gcm_rtpsize`
 * (https://discord.com/developers/docs/topics/voice-connections).
 */

export const RTP_OPUS_PAYLOAD_TYPE = 0x78;
export const AES_GCM_RTPSIZE = 'aead_aes256_gcm_rtpsize';
const RTP_EXTENSION_PROFILE = 0xbede; // RFC 8285 one-byte header extensions

/**
 * Answers a 74-byte IP discovery request (type 1) with the sender's address as
 * we saw it (type 2): type(2) length=70(2) ssrc(4) address(64, NUL-padded) port(2).
 */
export function ipDiscoveryResponse(request: Buffer, address: string, port: number): Buffer | null {
  if (request.length !== 74 || request.readUInt16BE(0) !== 1) return null;
  const response = Buffer.alloc(74);
  response.writeUInt16BE(2, 0);
  response.writeUInt16BE(70, 2);
  response.writeUInt32BE(request.readUInt32BE(4), 4);
  response.write(address, 8, 63, 'utf8');
  response.writeUInt16BE(port, 72);
  return response;
}

export interface RtpPacketInput {
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
  /** The 32-byte `secret_key` from SESSION_DESCRIPTION. */
  key: Uint8Array;
  /** This sender's incrementing 32-bit nonce. */
  nonce: number;
  /**
   * Add a one-word RTP header extension like Discord's clients send (audio
   * level). In the rtpsize modes its 4-byte preamble is part of the clear
   * header (the AAD) while the extension body is encrypted with the payload.
   */
  extension?: boolean;
}

/**
 * One voice packet: RTP header (V=2, PT=120) + AES-256-GCM ciphertext + 16-byte
 * tag + the 4-byte big-endian nonce. The 12-byte GCM IV is that nonce followed
 * by eight zero bytes, exactly what @discordjs/voice rebuilds on receipt.
 */
export function encryptRtpPacket(p: RtpPacketInput): Buffer {
  const extension = p.extension ?? true;
  const header = Buffer.alloc(extension ? 16 : 12);
  header[0] = extension ? 0x90 : 0x80; // version 2, X bit when extended
  header[1] = RTP_OPUS_PAYLOAD_TYPE;
  header.writeUInt16BE(p.seq & 0xffff, 2);
  header.writeUInt32BE(p.timestamp >>> 0, 4);
  header.writeUInt32BE(p.ssrc >>> 0, 8);
  let plaintext = Buffer.from(p.payload);
  if (extension) {
    header.writeUInt16BE(RTP_EXTENSION_PROFILE, 12);
    header.writeUInt16BE(1, 14); // extension body length in 32-bit words
    plaintext = Buffer.concat([Buffer.from([0x10, 0x7f, 0, 0]), plaintext]); // id 1, 1 byte: audio level, then padding
  }
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(p.nonce >>> 0, 0);
  const cipher = createCipheriv('aes-256-gcm', p.key, iv);
  cipher.setAAD(header);
  return Buffer.concat([header, cipher.update(plaintext), cipher.final(), cipher.getAuthTag(), iv.subarray(0, 4)]);
}
