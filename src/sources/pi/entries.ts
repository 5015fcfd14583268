// One pi / pir / omp entry -> what it contributes: a conversation item on its tree node, or a
// fact about the session. pi's entry types (message, custom_message, model_change,
// thinking_level_change, compaction, branch_summary, label, session_info, custom) and omp's
// (session_init with the system prompt and the tools, model_usage, service_tier_change, archive,
// title_change, ttsr_injection, mode_change, reset_boundary, credential_pin). Unknown types stay
// tree nodes (children may hang off them) and are counted.
import type { ToolSpec } from '../../model/tool-spec.ts';
import { isObj, num, str, type Obj } from '../json-values.ts';
import type { PiContent } from './content.ts';
import type { PiContext } from './context.ts';
import type { PiNode } from './turns.ts';

export class PiEntries {
  readonly models: string[] = [];
  private readonly modelSet = new Set<string>();
  readonly thinkingLevels: string[] = [];
  firstAssistantProvider: string | undefined;
  firstChangeProvider: string | undefined;
  readonly labels = new Map<string, string>();
  name: string | undefined;
  compactions = 0;
  readonly tokensBefore: number[] = [];
  branchSummaries = 0;
  // omp
  title: string | undefined;
  systemPrompt: string | undefined;
  agent: string | undefined;
  readonly tools: ToolSpec[] = [];
  readonly toolNames: string[] = [];
  readonly modes: string[] = [];
  readonly serviceTiers: unknown[] = [];
  readonly ttsrRules: string[] = [];
  readonly archived = new Map<string, boolean>();
  resetBoundaries = 0;
  readonly modelUsage = { calls: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0 };

  constructor(
    private readonly ctx: PiContext,
    private readonly content: PiContent,
  ) {}

  addModel(model: string | undefined): void {
    if (!model || this.modelSet.has(model)) return;
    this.modelSet.add(model);
    this.models.push(model);
  }

  addThinkingLevel(level: string | undefined): void {
    if (level && !this.thinkingLevels.includes(level)) this.thinkingLevels.push(level);
  }

  private note(list: string[], v: string | undefined): void {
    if (v && !list.includes(v) && list.length < 1000) list.push(v);
  }

  /** The entry's contribution; `node` receives its item and time. */
  onEntry(value: Obj, node: PiNode, entryTs: string | undefined): void {
    const ctx = this.ctx;
    switch (value.type) {
      case 'message':
        ctx.count('messages');
        if (isObj(value.message)) this.onMessage(node, value.message, entryTs);
        else {
          ctx.count('message_without_body');
          ctx.warn('message_without_body', node.line, 'message entry without a message object; skipped');
        }
        return;
      case 'custom_message':
        return this.onCustom(node, value, entryTs);
      case 'model_change':
        ctx.count('model_changes');
        this.addModel(str(value.modelId) ?? str(value.model));
        this.firstChangeProvider ??= str(value.provider);
        return;
      case 'thinking_level_change':
        ctx.count('thinking_level_changes');
        this.addThinkingLevel(str(value.thinkingLevel));
        return;
      case 'compaction':
        ctx.count('compactions');
        this.compactions++;
        if (num(value.tokensBefore) !== undefined) this.tokensBefore.push(num(value.tokensBefore)!);
        return;
      case 'branch_summary':
        ctx.count('branch_summaries');
        this.branchSummaries++;
        return;
      case 'label': {
        ctx.count('labels');
        const target = str(value.targetId);
        const label = str(value.label);
        if (target) {
          if (label) this.labels.set(target, label);
          else this.labels.delete(target);
        }
        return;
      }
      case 'session_info': {
        ctx.count('session_infos');
        const name = str(value.name)?.trim();
        if (name) this.name = name;
        return;
      }
      case 'custom':
        // Extension state: pi never puts it in the model's context.
        ctx.count('custom_entries');
        return;
      case 'session_init':
        return this.onSessionInit(value);
      case 'model_usage': {
        ctx.count('model_usages');
        const u = isObj(value.usage) ? value.usage : {};
        this.modelUsage.calls++;
        this.modelUsage.input += num(u.input) ?? 0;
        this.modelUsage.output += num(u.output) ?? 0;
        this.modelUsage.cacheRead += num(u.cacheRead) ?? 0;
        this.modelUsage.cacheWrite += num(u.cacheWrite) ?? 0;
        this.modelUsage.cost += (isObj(u.cost) ? num(u.cost.total) : num(u.cost)) ?? 0;
        return;
      }
      case 'service_tier_change':
        ctx.count('service_tier_changes');
        if (this.serviceTiers.length < 100) this.serviceTiers.push(value.serviceTier ?? null);
        return;
      case 'archive': {
        ctx.count('archives');
        const target = str(value.targetId);
        if (target) this.archived.set(target, value.archived !== false);
        return;
      }
      case 'title_change':
        ctx.count('title_changes');
        this.title = str(value.title) ?? this.title;
        return;
      case 'ttsr_injection':
        ctx.count('ttsr_injections');
        if (Array.isArray(value.injectedRules)) for (const r of value.injectedRules) this.note(this.ttsrRules, str(r));
        return;
      case 'mode_change':
        ctx.count('mode_changes');
        this.note(this.modes, str(value.mode));
        return;
      case 'reset_boundary':
        ctx.count('reset_boundaries');
        this.resetBoundaries++;
        return;
      case 'credential_pin':
        // Which account served the session: never emitted, not even its hash.
        ctx.count('credential_pins');
        return;
      default:
        ctx.count(`skipped_type_${String(value.type)}`);
        ctx.warn(`type_${String(value.type)}`, node.line, `unknown entry type "${String(value.type)}"; skipped`);
    }
  }

  /** omp's subagent start: the system prompt as sent, the agent, and the tools it had. */
  private onSessionInit(value: Obj): void {
    this.ctx.count('session_inits');
    const sp = value.systemPrompt;
    const prompt = Array.isArray(sp) ? sp.filter((s): s is string => typeof s === 'string').join('\n\n') : str(sp);
    if (prompt) this.systemPrompt = this.ctx.capText(prompt);
    this.agent = str(value.agent) ?? this.agent;
    if (!Array.isArray(value.tools)) return;
    for (const t of value.tools) {
      if (typeof t === 'string') this.note(this.toolNames, t);
      else if (isObj(t)) {
        const spec = toolSpecOf(t);
        if (spec && !this.tools.some((x) => x.function.name === spec.function.name)) this.tools.push(spec);
        this.note(this.toolNames, spec?.function.name ?? str(t.name));
      }
    }
  }

  private turnTime(entryTs: string | undefined, msg: Obj): string | undefined {
    if (entryTs && Number.isFinite(Date.parse(entryTs))) return entryTs;
    const ms = num(msg.timestamp);
    return ms !== undefined ? new Date(ms).toISOString() : entryTs;
  }

  private onMessage(node: PiNode, msg: Obj, entryTs: string | undefined): void {
    const ctx = this.ctx;
    const role = str(msg.role);
    node.ts = this.turnTime(entryTs, msg);
    switch (role) {
      case 'user':
        ctx.count('user_messages');
        node.item = { k: 'user', text: this.content.blocksText(msg.content, node.line, 'user') };
        return;
      case 'assistant': {
        ctx.count('assistant_messages');
        this.addModel(str(msg.model));
        const turn = this.content.assistantTurn(msg, node.line);
        if (!turn) return;
        this.firstAssistantProvider ??= str(msg.provider);
        node.item = { k: 'assistant', turn };
        return;
      }
      case 'toolResult':
        ctx.count('tool_results');
        node.item = {
          k: 'toolResult',
          result: { id: str(msg.toolCallId) ?? '', content: this.content.blocksText(msg.content, node.line, 'toolResult'), isError: msg.isError === true },
        };
        return;
      case 'bashExecution':
        ctx.count('bash_executions');
        if (msg.excludeFromContext === true) {
          // `!!` commands: run by the human, never shown to the model.
          ctx.count('bash_excluded');
          return;
        }
        node.item = { k: 'user', text: this.content.bashText(msg), humanCommand: true };
        return;
      case 'hookMessage':
        // v2 name of `custom` (renamed in v3); pi migrates it on load.
        ctx.count('hook_messages_migrated');
        return this.onCustom(node, msg, entryTs);
      case 'custom':
        return this.onCustom(node, msg, entryTs);
      default:
        ctx.count(`skipped_role_${role ?? 'none'}`);
        ctx.warn(`role_${role}`, node.line, `unknown message role "${role}"; skipped`);
    }
  }

  /**
   * Extension messages (role `custom`, entry `custom_message`): pi's convertToLlm sends them to the
   * model as user messages whatever `display` says; Gas Town's hooks deliver mail, nudges and
   * priming this way, so those with text become user turns.
   */
  private onCustom(node: PiNode, m: Obj, entryTs: string | undefined): void {
    this.ctx.count('custom_messages');
    node.ts ??= this.turnTime(entryTs, m);
    const text = this.content.blocksText(m.content, node.line, 'custom');
    if (text.trim() === '') {
      this.ctx.count('custom_messages_empty');
      return;
    }
    node.item = { k: 'user', text };
  }
}

/** A declared tool (`{name, description, parameters | inputSchema}`) as a function spec. */
function toolSpecOf(t: Obj): ToolSpec | undefined {
  const fn = isObj(t.function) ? t.function : t;
  const name = str(fn.name);
  if (!name) return undefined;
  const params = fn.parameters ?? fn.inputSchema ?? fn.input_schema ?? fn.schema;
  const spec: ToolSpec = {
    type: 'function',
    function: { name, parameters: isObj(params) ? (params as ToolSpec['function']['parameters']) : { type: 'object', properties: {} } },
  };
  const description = str(fn.description);
  if (description) spec.function.description = description;
  return spec;
}
