export { parseSource, ParseOptions, ParseResult } from './parse';
export * from './statements';
export { decodeString, decodeNumber, encodeString, encodeNumber } from './literals';
