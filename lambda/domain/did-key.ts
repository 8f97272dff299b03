import { createPublicKey, type KeyObject } from 'node:crypto';
import bs58 from 'bs58';

/**
 * The did:key of a public key (did:key method specification, W3C CCG): the key's multicodec
 * code as an unsigned varint, then the key's bytes, in base58btc multibase (`z`).
 * Ed25519: raw 32 bytes; P-256/P-384/P-521: compressed point; RSA: PKCS#1 DER.
 */
const MULTICODEC: Record<string, number> = {
  ed25519: 0xed,
  'P-256': 0x1200,
  'P-384': 0x1201,
  'P-521': 0x1202,
  rsa: 0x1205,
};

/** The did:key of a PEM public key, or undefined for a key type the method does not cover. */
export function didKeyFromPublicKey(publicKeyPem: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch {
    return undefined;
  }
  const encoded = keyBytes(key);
  if (!encoded) return undefined;
  return `did:key:z${bs58.encode(Buffer.concat([varint(encoded.code), encoded.bytes]))}`;
}

function keyBytes(key: KeyObject): { code: number; bytes: Buffer } | undefined {
  const jwk = key.export({ format: 'jwk' });
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return { code: MULTICODEC.ed25519 as number, bytes: Buffer.from(jwk.x as string, 'base64url') };
    case 'ec': {
      const code = MULTICODEC[jwk.crv as string];
      if (code === undefined) return undefined;
      const y = Buffer.from(jwk.y as string, 'base64url');
      const prefix = ((y.at(-1) as number) & 1) === 1 ? 0x03 : 0x02;
      return { code, bytes: Buffer.concat([Buffer.from([prefix]), Buffer.from(jwk.x as string, 'base64url')]) };
    }
    case 'rsa':
      return { code: MULTICODEC.rsa as number, bytes: key.export({ type: 'pkcs1', format: 'der' }) };
    default:
      return undefined;
  }
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
