/**
 * Canonical printing of config values in Gin syntax. The printed form of a trial's bindings
 * is both what the trial receives (`--gin_bindings`) and what its id hashes, so it must be
 * deterministic: references print with their full registered name, dict keys in given order.
 */
import { ConfigurableReference, ConfigValue, Dict, MacroReference, registry, REQUIRED, Tuple } from '@cgan/config-lang';

export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "float('nan')";
  if (!Number.isFinite(n)) return n > 0 ? "float('inf')" : "float('-inf')";
  return String(n);
}

function formatString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** `@name` with the selector made canonical (its registered full name) when it is registered. */
function formatRef(r: ConfigurableReference): string {
  const m = registry.match(r.selector);
  const name = m.length === 1 ? m[0].fullName : r.selector;
  return `@${[...r.scope, name].join('/')}${r.evaluate ? '()' : ''}`;
}

export function formatValue(v: ConfigValue): string {
  if (v === REQUIRED) return '%gin.REQUIRED';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return formatString(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v instanceof Tuple) return v.items.length === 1 ? `(${formatValue(v.items[0])},)` : `(${v.items.map(formatValue).join(', ')})`;
  if (v instanceof Dict) return `{${v.entries.map(([k, x]) => `${formatValue(k)}: ${formatValue(x)}`).join(', ')}}`;
  if (v instanceof ConfigurableReference) return formatRef(v);
  if (v instanceof MacroReference) return `%${v.name}`;
  return String(v);
}

/** A short label for tables and plots: `@loss_lib.hinge` -> `@hinge`, numbers as printed. */
export function shortValue(v: ConfigValue): string {
  if (v instanceof ConfigurableReference) return `@${[...v.scope, v.selector.split('.').pop()].join('/')}${v.evaluate ? '()' : ''}`;
  return formatValue(v);
}
