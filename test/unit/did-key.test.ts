import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { didKeyFromPublicKey } from '../../lambda/domain/did-key.js';
import { generateKeyPairFor } from '../../lambda/domain/key-pairs.js';

// Test vectors published with the did:key method specification (w3c-ccg/did-method-key,
// test-vectors/*.json): a public key and the did:key it must give.
const pemOfJwk = (jwk: Record<string, string>) =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
const pemOfEd25519 = (base58: string) =>
  pemOfJwk({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bs58.decode(base58)).toString('base64url') });

describe('did:key from a public key', () => {
  it.each([
    ['4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS', 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'],
    ['6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt', 'did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG'],
    ['8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH', 'did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf'],
  ])('derives the Ed25519 vector %s', (publicKeyBase58, did) => {
    expect(didKeyFromPublicKey(pemOfEd25519(publicKeyBase58))).toBe(did);
  });

  it.each([
    [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns',
        y: 'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM',
      },
      'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv',
    ],
    [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI',
        y: 'hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU',
      },
      'did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169',
    ],
    [
      {
        kty: 'EC',
        crv: 'P-384',
        x: 'lInTxl8fjLKp_UCrxI0WDklahi-7-_6JbtiHjiRvMvhedhKVdHBfi2HCY8t_QJyc',
        y: 'y6N1IC-2mXxHreETBW7K3mBcw0qGr3CWHCs-yl09yCQRLcyfGv7XhqAngHOu51Zv',
      },
      'did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9',
    ],
    [
      {
        kty: 'EC',
        crv: 'P-521',
        x: 'ASUHPMyichQ0QbHZ9ofNx_l4y7luncn5feKLo3OpJ2nSbZoC7mffolj5uy7s6KSKXFmnNWxGJ42IOrjZ47qqwqyS',
        y: 'AW9ziIC4ZQQVSNmLlp59yYKrjRY0_VqO-GOIYQ9tYpPraBKUloEId6cI_vynCzlZWZtWpgOM3HPhYEgawQ703RjC',
      },
      'did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7',
    ],
    [
      {
        kty: 'RSA',
        n: 'sbX82NTV6IylxCh7MfV4hlyvaniCajuP97GyOqSvTmoEdBOflFvZ06kR_9D6ctt45Fk6hskfnag2GG69NALVH2o4RCR6tQiLRpKcMRtDYE_thEmfBvDzm_VVkOIYfxu-Ipuo9J_S5XDNDjczx2v-3oDh5-CIHkU46hvFeCvpUS-L8TJSbgX0kjVk_m4eIb9wh63rtmD6Uz_KBtCo5mmR4TEtcLZKYdqMp3wCjN-TlgHiz_4oVXWbHUefCEe8rFnX1iQnpDHU49_SaXQoud1jCaexFn25n-Aa8f8bc5Vm-5SeRwidHa6ErvEhTvf1dz6GoNPp2iRvm-wJ1gxwWJEYPQ',
        e: 'AQAB',
      },
      'did:key:z4MXj1wBzi9jUstyPMS4jQqB6KdJaiatPkAtVtGc6bQEQEEsKTic4G7Rou3iBf9vPmT5dbkm9qsZsuVNjq8HCuW1w24nhBFGkRE4cd2Uf2tfrB3N7h4mnyPp1BF3ZttHTYv3DLUPi1zMdkULiow3M1GfXkoC6DoxDUm1jmN6GBj22SjVsr6dxezRVQc7aj9TxE7JLbMH1wh5X3kA58H3DFW8rnYMakFGbca5CB2Jf6CnGQZmL7o5uJAdTwXfy2iiiyPxXEGerMhHwhjTA1mKYobyk2CpeEcmvynADfNZ5MBvcCS7m3XkFCMNUYBS9NQ3fze6vMSUPsNa6GVYmKx2x6JrdEjCk3qRMMmyjnjCMfR4pXbRMZa3i',
    ],
  ])('derives the %s vector', (jwk, did) => {
    expect(didKeyFromPublicKey(pemOfJwk(jwk as Record<string, string>))).toBe(did);
  });

  it('answers undefined for what is not a public key it covers', () => {
    expect(didKeyFromPublicKey('not a pem')).toBeUndefined();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(didKeyFromPublicKey(publicKey.export({ type: 'spki', format: 'pem' }) as string)).toBeUndefined();
  });
});

describe('key pairs from key_pair_type', () => {
  it.each([
    [{ type: 'rsa', modulus_size: '2048', exponent_size: '65537' }, 'rsa'],
    [{ type: 'ec', curve: 'P-384' }, 'ec'],
    [{ type: 'universal' }, 'ed25519'],
  ])('generates %j as PEM', async (keyPairType, keyType) => {
    const pair = await generateKeyPairFor(keyPairType);

    expect(pair?.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(pair?.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPublicKey(pair?.publicKey as string).asymmetricKeyType).toBe(keyType);
  });

  it.each([
    [{ type: 'dsa' }],
    [{ type: 'ec', curve: 'P-512' }],
    [{ type: 'rsa', modulus_size: '1024' }],
    [{ type: 'rsa', modulus_size: '2048', exponent_size: '4' }],
  ])('cannot generate %j', async (keyPairType) => {
    expect(await generateKeyPairFor(keyPairType)).toBeUndefined();
  });
});
