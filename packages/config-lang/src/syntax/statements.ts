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
  /** Set when the binding is a line of a binding block (`scope/configurable:` then `param = value` lines). */
  block?: BlockHeader;
}

/** The header line of a binding block; shared by the block's bindings. */
export interface BlockHeader {
  scope: string;
  selector: string;
  location: Location;
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

/**
 * `import a.b.c`, `import a.b as c` (alias 'c'), `from a.b import c` (module 'a.b.c', isFrom)
 * and `from a.b import c as d`. `from __gin__ import dynamic_registration` is an import too.
 */
export interface ImportStatement {
  kind: 'import';
  /** The full dotted module path (for `from a import b`, 'a.b'). */
  module: string;
  alias?: string;
  isFrom?: boolean;
  /**
   * The file the module was loaded from when this config was written, from a trailing
   * `# loaded from PATH` comment (an operative config writes one): an import tries it first.
   * `member`: the file is module `a`'s of `from a import b`, and `b` is one of its exports
   * (written `# loaded from PATH (export b)`).
   */
  loadedFrom?: { file: string; member?: boolean };
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
