import { parsePayloadKeys, tenureDataConverter } from '../../codec/index.ts';

/**
 * The payload keys of the test suite and of the recorded histories in test/histories
 * (`npm run histories`): fixed, public, good for nothing but tests. Give them to workers as
 * `TENURE_PAYLOAD_KEYS` and to clients as {@link TEST_DATA_CONVERTER}.
 */
export const TEST_PAYLOAD_KEYS = 'test-1:dGVudXJlLXRlc3Qtb25seS1wYXlsb2FkLWtleS0wMDE=';
export const TEST_KEYS = parsePayloadKeys(TEST_PAYLOAD_KEYS);
export const TEST_DATA_CONVERTER = tenureDataConverter(TEST_KEYS);
