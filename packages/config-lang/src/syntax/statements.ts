/** The statements a Gin file is made of, with where each came from. */
import { ConfigValue, Location } from '../values';

export interface BindingStatement {
  kind: 'binding';
  /** Scope components joined by '/', '' for none. */
  scope: string;
  /** Configurable selector, possibly module-qualified (`resnet_biggan.Generator`). */
  selector: string;
  param: string;
  value: ConfigValue;
  /** Start of the statement (its selector). */
  location: Location;
  paramLocation: Location;
  valueLocation: Location;
  endLine: number;
  /** Number literals of the value as written, in source order (the formatter keeps them). */
  numberTexts?: string[];
}

export interface MacroStatement {
  kind: 'macro';
  /** Macro name, scoped names included (`scope/NAME`). */
  name: string;
  value: ConfigValue;
  location: Location;
  valueLocation: Location;
  endLine: number;
  numberTexts?: string[];
}

export interface ImportStatement {
  kind: 'import';
  module: string;
  location: Location;
  endLine: number;
}

export interface IncludeStatement {
  kind: 'include';
  /** As written in the file. */
  path: string;
  location: Location;
  endLine: number;
}

export type Statement = BindingStatement | MacroStatement | ImportStatement | IncludeStatement;

/** A comment kept for the formatter. */
export interface CommentToken {
  text: string;
  line: number;
  column: number;
}
