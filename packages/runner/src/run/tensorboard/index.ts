export { EventFileWriter, scalarValues } from './writer';
export type { SummaryValue } from './proto';
export { readTfrecords, tfrecord, crc32c, maskedCrc32c } from './tfrecord';
