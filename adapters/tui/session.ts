import type { Subscription } from 'rxjs';
import type { ModelListing, ThreadHandle, ThreadRegistry } from '../../actors/runtime/index.js';
import type {
  ApprovalDecision,
  ApprovalPolicy,
  ElicitationAction,
  ElicitationContent,
  ReasoningEffort,
  SandboxPolicy,
  SkillMetadata,
  Thread,
  ThreadOverrides,
  ThreadSettings,
  TurnOverrides,
  UserInput,
} from '../../protocol/index.js';
import { applyEvent, emptyTranscript, historyEntries, notice, type Entry, type TranscriptState } from './transcript.state.js';

/** The approval presets `/approvals` offers: when to ask, and where commands may write. */
export const APPROVAL_PRESETS: ReadonlyArray<{ id: string; label: string; approvalPolicy: ApprovalPolicy; sandboxPolicy: SandboxPolicy }> = [
  { id: 'read-only', label: 'Read only: asks before any change', approvalPolicy: 'on-request', sandboxPolicy: { type: 'readOnly', networkAccess: false } },
  {
    id: 'auto',
    label: 'Auto: edits and runs in the workspace, asks to go beyond it',
    approvalPolicy: 'on-request',
    sandboxPolicy: { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false },
  },
  { id: 'full-access', label: 'Full access: runs anything without asking', approvalPolicy: 'never', sandboxPolicy: { type: 'dangerFullAccess' } },
];

const sandboxName: Record<SandboxPolicy['type'], ThreadSettings['sandboxMode']> = {
  readOnly: 'read-only',
  workspaceWrite: 'workspace-write',
  dangerFullAccess: 'danger-full-access',
};

/** What the status bar and `/status` show. */
export interface SessionView {
  threadId: string;
  model: string;
  effort: ReasoningEffort | null;
  sandbox: string;
  approval: ApprovalPolicy;
  cwd: string;
  rolloutPath: string | null;
}

export interface SessionSnapshot {
  transcript: TranscriptState;
  view: SessionView | null;
  /** The skills the thread loaded when it was configured, for the `$` picker. */
  skills: SkillMetadata[];
  /** Bumped at every publish, so a component can tell a new frame. */
  version: number;
}

/** How often the screen may change while events stream: often enough to look live, rarely enough to stay cheap. */
const FRAME_MS = 50;

/**
 * One UI session's link to the runtime: the thread it drives, the transcript folded from that
 * thread's events (published at most once a frame), and the choices that apply to the next turn.
 * It decides nothing about the agent: input and answers go to the thread as they are.
 */
export class TuiSession {
  private thread: ThreadHandle | null = null;
  private events: Subscription | null = null;
  private state: TranscriptState = emptyTranscript();
  private snapshot: SessionSnapshot = { transcript: emptyTranscript(), view: null, skills: [], version: 0 };
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastPublish = 0;
  /** What the user chose with /model and /approvals, sent with every later turn. */
  private turnOverrides: TurnOverrides = {};
  /** Said after the current turn ends ("no, do this instead"). */
  private followUp: string | null = null;

  constructor(
    private readonly registry: ThreadRegistry,
    private readonly overrides: ThreadOverrides,
    private readonly listModels: (overrides: ThreadOverrides) => Promise<ModelListing>,
  ) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  get threadId(): string | null {
    return this.thread?.threadId ?? null;
  }

  /** Opens a new thread (the one before it, if any, is closed). */
  async startNew(): Promise<void> {
    await this.detach();
    this.state = emptyTranscript();
    this.thread = await this.registry.start(this.overrides, (handle) => this.attach(handle));
    this.publish(true);
  }

  /** Continues a recorded thread, its earlier turns shown first. */
  async resume(threadId: string): Promise<void> {
    await this.detach();
    this.state = emptyTranscript();
    const { handle, stored } = await this.registry.resume(threadId, this.overrides, (opened) => {
      this.attach(opened);
    });
    this.thread = handle;
    if (stored) this.state.done.unshift(...historyEntries(stored.thread.turns), notice('info', `resumed thread ${handle.threadId}`));
    this.publish(true);
  }

  /**
   * Sends the user's message as a new turn: the images first, then the text, then the skills
   * chosen in the `$` picker. False (with a notice) when the thread cannot take one now.
   */
  submit(text: string, images: string[] = [], skills: ReadonlyArray<Pick<SkillMetadata, 'name' | 'path'>> = []): boolean {
    if (!this.thread) {
      this.note('warning', 'no thread is open yet: pick one to resume, or Esc for a new one');
      return false;
    }
    const input: UserInput[] = [
      ...images.map((path): UserInput => ({ type: 'localImage', path })),
      { type: 'text', text, text_elements: [] },
      ...skills.map(({ name, path }): UserInput => ({ type: 'skill', name, path })),
    ];
    try {
      this.thread.startTurn(input, this.turnOverrides);
      return true;
    } catch (error) {
      this.note('error', (error as Error).message);
      return false;
    }
  }

  /** Compacts the conversation now (`/compact`), as a turn of its own. */
  compact(): void {
    if (!this.thread) {
      this.note('warning', 'no thread is open yet: there is nothing to compact');
      return;
    }
    try {
      this.thread.compact();
    } catch (error) {
      this.note('error', `cannot compact now: ${(error as Error).message}`);
    }
  }

  running(): boolean {
    return this.state.turn !== null;
  }

  interrupt(): void {
    if (this.running()) this.thread?.interrupt();
  }

  /** Answers an MCP server's question: the form's content with accept, nothing with decline or cancel. */
  answerQuestion(approvalId: string, action: ElicitationAction, content: ElicitationContent | null): void {
    this.thread?.decide(approvalId, action, content);
  }

  decide(approvalId: string, decision: ApprovalDecision): void {
    this.thread?.decide(approvalId, decision);
  }

  /** "No, and do this instead": stops the turn, then sends the text as the next one. */
  declineWithMessage(approvalId: string, text: string): void {
    this.followUp = text;
    this.decide(approvalId, 'cancel');
  }

  setModel(model: string, effort: ReasoningEffort | null): void {
    this.turnOverrides = { ...this.turnOverrides, model, effort };
    this.note('info', `model for the next turns: ${model}${effort ? ` (${effort})` : ''}`);
  }

  setApprovalPreset(id: string): void {
    const preset = APPROVAL_PRESETS.find((candidate) => candidate.id === id);
    if (!preset) return;
    this.turnOverrides = { ...this.turnOverrides, approvalPolicy: preset.approvalPolicy, sandboxPolicy: preset.sandboxPolicy };
    this.note('info', `approvals: ${preset.label}`);
  }

  /** Adds a line of the UI's own to the transcript. */
  note(tone: 'info' | 'warning' | 'error', text: string): void {
    this.push(notice(tone, text));
  }

  push(entry: Entry): void {
    this.state.done.push(entry);
    this.publish(true);
  }

  /** The models `/model` offers (the provider's, merged with the built-in ones), each with its reasoning efforts. */
  async models() {
    const listing = await this.listModels(this.overrides);
    if (listing.warning) this.note('warning', listing.warning);
    return listing.models.filter((model) => !model.hidden);
  }

  recent(limit: number): Promise<{ data: Thread[] }> {
    return this.registry.list({ limit });
  }

  view(): SessionView | null {
    const current = this.thread?.current();
    if (!current || !this.thread) return null;
    const { settings, thread } = current;
    return {
      threadId: this.thread.threadId,
      model: this.turnOverrides.model ?? settings.model,
      effort: this.turnOverrides.effort !== undefined ? this.turnOverrides.effort : settings.reasoningEffort,
      sandbox: this.turnOverrides.sandboxPolicy ? sandboxName[this.turnOverrides.sandboxPolicy.type] : settings.sandboxMode,
      approval: this.turnOverrides.approvalPolicy ?? settings.approvalPolicy,
      cwd: settings.cwd,
      rolloutPath: thread.path,
    };
  }

  async close(): Promise<void> {
    await this.detach();
    if (this.timer) clearTimeout(this.timer);
  }

  private attach(handle: ThreadHandle): void {
    this.events = handle.events$.subscribe((event) => {
      applyEvent(this.state, event);
      if (event.method === 'turn/completed' && this.followUp !== null) {
        const text = this.followUp;
        this.followUp = null;
        // The thread takes the next turn once this one has wound down.
        setImmediate(() => this.submit(text));
      }
      const urgent =
        event.method !== 'item/agentMessage/delta' && event.method !== 'item/commandExecution/outputDelta' && !event.method.startsWith('item/reasoning');
      this.publish(urgent);
    });
  }

  private async detach(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    if (thread) await thread.close();
    this.events?.unsubscribe();
    this.events = null;
  }

  /** Publishes a new snapshot: at once when `now` (or a frame has passed), else at the end of the frame. */
  private publish(now = false): void {
    const wait = FRAME_MS - (Date.now() - this.lastPublish);
    if (!now && wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.publish(true);
      }, wait);
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.lastPublish = Date.now();
    const { done, live, approvals, elicitations, turn, usage, diff } = this.state;
    this.snapshot = {
      transcript: { done: [...done], live: live.map((entry) => ({ ...entry })), approvals: [...approvals], elicitations: [...elicitations], turn, usage, diff },
      view: this.view(),
      skills: this.thread?.skills() ?? [],
      version: this.snapshot.version + 1,
    };
    for (const listener of this.listeners) listener();
  }
}
