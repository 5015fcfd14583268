// A compact way to write a runtime's built-in tool specs: name, one-line description, parameters.
// Descriptions stay short on purpose: every sample carries the specs of the tools it calls, inside
// its token budget.
import type { JsonSchema, ToolSpec } from '../model/tool-spec.ts';

type Param = JsonSchema & { optional?: boolean };

export function tool(name: string, description: string, params: Record<string, Param>): ToolSpec {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, { optional, ...schema }] of Object.entries(params)) {
    properties[key] = schema;
    if (!optional) required.push(key);
  }
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } };
}

export const str = (description: string, optional = false): Param => ({ type: 'string', description, optional });
export const int = (description: string, optional = false): Param => ({ type: 'integer', description, optional });
export const bool = (description: string, optional = false): Param => ({ type: 'boolean', description, optional });
export const list = (description: string, items: JsonSchema, optional = false): Param => ({ type: 'array', description, items, optional });
