/**
 * Personal data stays private: the payload codec every Temporal client and worker of Tenure
 * uses (AES-256-GCM, a random nonce per payload, the key id in the payload's metadata,
 * deflate where it pays), its keys (TENURE_PAYLOAD_KEYS: `id:base64key[,…]`, the first
 * encrypts, any decrypts), and the codec server the Temporal UI and CLI call to decode.
 *
 *   const keys = parsePayloadKeys(process.env.TENURE_PAYLOAD_KEYS!);
 *   const client = new Client({ connection, dataConverter: tenureDataConverter(keys) });
 *   app.register(codecServer, { keys, namespace: 'default', tokens: [adminToken] });
 */
export { EncryptionCodec, PayloadDecryptionError, ENCRYPTED_ENCODING, KEY_ID_METADATA } from './encryption.ts';
export { PayloadKeys, PayloadKeysError, parsePayloadKeys, newPayloadKeyEntry, KEY_BYTES, type PayloadKey } from './keys.ts';
export { tenureDataConverter, FAILURE_CONVERTER_PATH } from './data-converter.ts';
export { codecServer, type CodecServerOptions } from './server.ts';
