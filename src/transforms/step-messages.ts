// A step as sample messages: one assistant message (text, reasoning, tool calls) and one tool
// message per answered call, in call order. Built once per step and shared by every sample that
// holds it (its encoded JSON and token count are cached on the message objects).
import type { AssistantMessage, SampleToolCall, ToolMessage } from '../model/sample.ts';
import type { Step } from './episodes.ts';
import { argumentsObject } from './tool-specs.ts';

export type ThinkingMode = 'keep' | 'drop';

export interface StepMessages {
  /** The step as a training target. */
  assistant: AssistantMessage;
  /** The same message as repeated context (`weight: 0`). */
  context: AssistantMessage;
  /** Results of the step's calls, in call order (unanswered calls have none). */
  tools: ToolMessage[];
  /** True when every call has its result: only such a step may be followed by another. */
  answered: boolean;
}

// Arguments are serialised once per call object (sizing and rendering both need them).
const argumentsJson = new WeakMap<object, string>();

export function toolArguments(input: unknown): string {
  if (input !== null && typeof input === 'object') {
    let json = argumentsJson.get(input);
    if (json === undefined) {
      json = JSON.stringify(argumentsObject(input));
      argumentsJson.set(input, json);
    }
    return json;
  }
  return JSON.stringify(argumentsObject(input));
}

export class StepMessageCache {
  private readonly built = new WeakMap<Step, StepMessages>();

  constructor(private readonly thinking: ThinkingMode = 'keep') {}

  of(step: Step): StepMessages {
    let m = this.built.get(step);
    if (!m) {
      m = this.build(step);
      this.built.set(step, m);
    }
    return m;
  }

  private build(step: Step): StepMessages {
    const turn = step.turn;
    const assistant: AssistantMessage = { role: 'assistant', content: turn.text.trim() };
    const reasoning = this.thinking === 'keep' ? (turn.thinking ?? '').trim() : '';
    if (reasoning !== '') assistant.reasoning_content = reasoning;
    if (step.calls.length) {
      assistant.tool_calls = step.calls.map((c): SampleToolCall => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: toolArguments(c.input) },
      }));
    }
    const tools: ToolMessage[] = [];
    step.results.forEach((r, i) => {
      if (!r) return;
      const m: ToolMessage = { role: 'tool', content: r.content, tool_call_id: step.calls[i].id, name: step.calls[i].name };
      if (r.isError) m.is_error = true;
      tools.push(m);
    });
    return { assistant, context: { ...assistant, weight: 0 }, tools, answered: tools.length === step.calls.length };
  }
}
