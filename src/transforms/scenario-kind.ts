// The kind of scenario an episode is, from its task (the first human input): what `harvest gaps`
// counts per role and what `harvest generate` fills. Pure. The first rule that matches wins:
//
//   patrol   a patrol or health cycle: `gt prime --hook ... begin patrol`, `/patrol`, a daemon tick,
//            a heartbeat or health check (deacon, witness, boot)
//   review   reviewing or merging work: a pull request, a merge queue, a rebase, "review"
//   bead     work on a bead: slung or hooked work (`gt sling`, `gt hook`, `gt done`, `bd ...`, a
//            `[GAS TOWN] ... assigned:<id>` dispatch)
//   mail     messages between agents: `gt mail`, an inbox, a nudge, an escalation, or a Gas Town
//            banner from another agent (`[GAS TOWN] witness <- deacon`) that none of the above fits
//   task     anything else: a free task typed by a person
export const SCENARIO_KINDS = ['patrol', 'review', 'bead', 'mail', 'task'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

const RULES: readonly [ScenarioKind, RegExp][] = [
  ['patrol', /\bpatrol\b|\bpatrols\b|daemon tick|\bheartbeat\b|health[- ]check|\bgt prime\b.*--hook\b.*\b(?:patrol|cycle)\b/i],
  ['review', /\breview(?:s|ing|ed)?\b|\bpull request\b|\bPR ?#?\d+\b|\bmerge queue\b|\brebase\b|\bgt mq\b/i],
  ['bead', /\bgt (?:sling|hook|done|convoy)\b|\bbd (?:show|update|close|ready|create|list|dep)\b|\bbeads?\b|\bassigned:\S+|\bhooked\b|\bon your hook\b/i],
  ['mail', /\bgt mail\b|\bmail\b|\binbox\b|\bnudge[sd]?\b|\bescalat(?:e|ed|ion)\b/i],
];

const BANNER_FROM = /\[GAS TOWN\][^\n]*<-\s*\S/;
// What the tiler appends to a task when a sample opens mid-episode (src/transforms/progress-note.ts).
const PROGRESS_NOTE = /\n\n\[Progress so far: [^\n]*\]$/;

/** The task of a sample's user message, without the progress note a mid-episode sample carries. */
export function taskOfUserMessage(content: string): string {
  return content.replace(PROGRESS_NOTE, '');
}

/** The scenario kind of a task text. */
export function scenarioKind(task: string): ScenarioKind {
  for (const [kind, re] of RULES) if (re.test(task)) return kind;
  return BANNER_FROM.test(task) ? 'mail' : 'task';
}

export function isScenarioKind(v: string): v is ScenarioKind {
  return (SCENARIO_KINDS as readonly string[]).includes(v);
}
