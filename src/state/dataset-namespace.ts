// Redis keys that describe a dataset folder's contents (record, content and file ledgers) live under
// the dataset's own namespace: a new or emptied folder (a new id) starts with empty ledgers.
export const datasetNamespace = (prefix: string, datasetId: string): string => `${prefix}:ds:${datasetId}`;
