// A tool a model may call, as every chat-template trainer reads it: the OpenAI function spec
// (`{type: "function", function: {name, description, parameters}}`, parameters a JSON schema).
// Samples carry one for every tool they call; exports pass them on in their target's shape.

/** A JSON schema, as far as tool parameters need one. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
}

export interface ToolSpec {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters: JsonSchema;
  };
}

/** Where a spec came from: the session declared it, the runtime's built-in registry, or inferred from calls. */
export type ToolSpecOrigin = 'session' | 'builtin' | 'inferred';
