// The failure converter of every Tenure worker (loaded by path, inside the workflow sandbox
// too): a failure's message and stack trace go into a payload, which the payload codec
// encrypts, so a failure that quotes HR data is no more readable in a history than the
// data itself. Clients decode it with the default converter.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
