import './styles.css';
// First, before any schema is used.
import './page/strict-csp.ts';
import type { ChatMessage, ChatRequest, StreamEvent } from '@gpt-stream/protocol';
import {
  canRegenerate,
  historyRequest,
  lastUserIndex,
  type NextAnswer,
} from './conversation/history.ts';
import { idleSave } from './conversation/idle-save.ts';
import { type AssistantTurn, answerStateOf, type Turn } from './conversation/thread.ts';
import { createThreadStore, THREAD_KEY_PREFIX } from './conversation/thread-store.ts';
import { type AnswerElements, createThreadView } from './conversation/thread-view.ts';
import { createStreamMetrics, formatMetrics } from './page/metrics.ts';
import { fillModelSelect, loadModels } from './page/models.ts';
import { getPageElements } from './page/page.ts';
import { errorMessage, statusLabel } from './page/status.ts';
import { followBottom } from './rendering/auto-scroll.ts';
import { createButton } from './rendering/button.ts';
import { createAnswerRenderers, isRenderMode } from './rendering/markdown/answer-renderer.ts';
import { markdownFactory } from './rendering/markdown/load-markdown.ts';
import { createReasoningView, type ReasoningView } from './rendering/reasoning-view.ts';
import { loadRenderMode, saveRenderMode } from './rendering/render-mode.ts';
import type { Renderer } from './rendering/renderer.ts';
import { createSavedStream } from './stream/saved-stream.ts';
import {
  createStreamClient,
  type StateDetail,
  type StreamOutcome,
} from './stream/stream-client.ts';
import { isActive, type StreamState } from './stream/stream-state.ts';
import { createWorkerFetch } from './stream/worker-fetch.ts';

const page = getPageElements();
const metrics = createStreamMetrics();
const saved = createSavedStream(() => sessionStorage);
const store = createThreadStore({ local: () => localStorage, session: () => sessionStorage });
// Every answer, restored or streaming, in the reader's chosen mode; the Markdown renderer's chunk
// starts loading now.
const answers = createAnswerRenderers({
  mode: loadRenderMode(() => localStorage),
  markdown: markdownFactory(),
});
const createRenderer = answers.create;
const follow = followBottom(page.conversation);
const view = createThreadView(page.conversation, createRenderer, {
  edit: createButton('turn-action', 'Edit', { id: 'edit-prompt', title: 'Edit your last message' }),
  retry: createButton('turn-action', 'Try again', {
    id: 'retry',
    title: 'Ask for this answer again',
  }),
});
// Streams are read in a worker, which joins a fast stream's events; it starts now, before the
// first request.
const viaWorker = createWorkerFetch(
  () => new Worker(new URL('./stream/stream.worker.ts', import.meta.url), { type: 'module' }),
);
const client = createStreamClient({ onState: showState, onEvent, viaWorker });

const opened = store.open();
let threadId = opened.id;
let turns: Turn[] = opened.turns;
/**
 * The answer being streamed, and the only renderer that writes. `replaying`: a resumed answer
 * keeps the text stored with it until the replay of its stream brings the first event.
 */
let answer: {
  turn: AssistantTurn;
  renderer: Renderer;
  thinking: ReasoningView;
  replaying: boolean;
} | null = null;
let editing = false;
/** While an ended stream's last text is still being written: shows it all at once instead. */
let settle: (() => void) | null = null;

function showState(state: StreamState, detail: StateDetail): void {
  settle?.();
  // The whole text must be on screen before the status claims the stream has ended. It is
  // written over the next frames, within their budget (a fast stream leaves a backlog), unless
  // the tab is hidden, where frames do not come: then at once.
  const renderer = answer?.renderer;
  if (detail.outcome && renderer && !document.hidden) {
    settle = () => renderer.flush();
    renderer.drain(() => {
      settle = null;
      applyState(state, detail);
    });
  } else applyState(state, detail);
}

function applyState(state: StreamState, { retry, outcome }: StateDetail): void {
  if (outcome) finish(outcome);
  page.status.dataset.state = state;
  page.status.textContent = statusLabel(state, { retry });
  const busy = isActive(state);
  page.send.disabled = busy;
  page.stop.disabled = !busy;
  page.newChat.disabled = busy;
  page.regenerate.disabled = busy || !canRegenerate(turns);
  view.setBusy(busy);
  view.placeControls(!busy);
}

function finish(outcome: StreamOutcome): void {
  if (answer) {
    answer.renderer.flush();
    answer.thinking.end();
    if (answer.thinking.thoughtMs !== null) answer.turn.thoughtMs = answer.thinking.thoughtMs;
    answer.turn.state = answerStateOf(outcome);
    view.markAnswer(answer.turn.state);
    answer = null;
    saving.soon();
  }
  if (outcome.type === 'completed') {
    const { completionTokens, reasoningTokens } = outcome.done.usage;
    metrics.finish(completionTokens, reasoningTokens);
  }
  // A request that failed before any text has nothing to measure; dashes would only add noise.
  const { tokens, reasoningTokens } = metrics.snapshot();
  if (outcome.type !== 'completed' && tokens + reasoningTokens === 0) clearMetrics();
  else showMetrics();
  showError(errorMessage(outcome));
  // A stream that failed on this side may still be running on the server: a reload resumes it.
  if (outcome.type !== 'failed') saved.clear();
}

function showError(message: string | null): void {
  page.error.textContent = message ?? '';
  page.error.hidden = message === null;
}

function showNotice(message: string | null): void {
  page.notice.textContent = message ?? '';
  page.notice.hidden = message === null;
}

function clearMetrics(): void {
  page.metrics.textContent = '';
  for (const key of ['ttftMs', 'tokens', 'tokensPerSecond', 'reasoningTokens']) {
    delete page.metrics.dataset[key];
  }
}

function showMetrics(): void {
  const snapshot = metrics.snapshot();
  page.metrics.textContent = formatMetrics(snapshot);
  // Machine-readable copies, for tests and for anyone who wants to chart them.
  page.metrics.dataset.ttftMs = String(snapshot.timeToFirstTokenMs ?? '');
  page.metrics.dataset.tokens = String(snapshot.tokens);
  page.metrics.dataset.tokensPerSecond = String(snapshot.tokensPerSecond ?? '');
  page.metrics.dataset.reasoningTokens = String(snapshot.reasoningTokens);
}

function onEvent(event: StreamEvent): void {
  // A replay begins with the stream's `start`; an error instead (an expired stream) replays nothing.
  if (answer?.replaying && event.type === 'start') {
    answer.replaying = false;
    answer.turn.content = '';
    delete answer.turn.reasoning;
    delete answer.turn.thoughtMs;
    answer.renderer.clear();
    answer.thinking.clear();
  }
  if (event.type === 'start') {
    saved.save({ streamId: event.data.streamId, lastEventId: null });
    if (answer) answer.turn.streamId = event.data.streamId;
  }
  if (event.type === 'reasoning' && event.data.text !== '' && answer) {
    metrics.recordReasoningToken();
    answer.turn.reasoning = (answer.turn.reasoning ?? '') + event.data.text;
    answer.thinking.push(event.data.text);
  }
  if (event.type === 'delta' && event.data.text !== '' && answer) {
    answer.thinking.answerStarted();
    metrics.recordToken();
    answer.turn.content += event.data.text;
    answer.renderer.push(event.data.text);
  }
}

/** The thread's saves when a stream starts or ends, in idle time (idle-save.ts). */
const saving = idleSave(persist);

/** Stores the thread; turns the storage could not keep leave the page too, and it says so. */
function persist(): void {
  const result = store.save(threadId, turns);
  if (result.dropped > 0) {
    turns.splice(0, result.dropped);
    view.dropOldest(result.dropped);
  }
  if (result.notice) showNotice(result.notice);
}

/** An answer to stream into: the latest turn, with a renderer of its own. */
function startAnswer(turn: AssistantTurn, elements: AnswerElements, replaying = false): void {
  const renderer = createRenderer(elements.content, { follow, onRender: showMetrics });
  // The thread follows the thinking as it grows, as it follows the answer.
  const thinking = createReasoningView(
    { ...elements.thinking, text: follow(elements.thinking.text) },
    { onRender: showMetrics },
  );
  answer = { turn, renderer, thinking, replaying };
  showError(null);
  clearMetrics();
  metrics.start();
}

function readRequest(messages: ChatMessage[]): ChatRequest {
  const request: ChatRequest = { messages };
  if (page.model.value) request.model = page.model.value;
  return request;
}

function ask(next: NextAnswer): void {
  settle?.();
  if (isActive(client.state)) return;
  if (next.type !== 'regenerate' && next.prompt.trim() === '') {
    // The shorthand's own message names the prompt, the reader's word for it; nothing is sent.
    void client.send({ prompt: next.prompt });
    return;
  }
  const history = historyRequest(turns, next);
  if (!history) return;
  const request = readRequest(history.messages);
  turns.length = history.keep;
  view.truncate(history.keep);
  if (next.type !== 'regenerate') {
    turns.push({ role: 'user', content: next.prompt });
    view.appendPrompt(next.prompt);
    page.prompt.value = '';
    stopEditing();
  }
  const turn: AssistantTurn = { role: 'assistant', content: '', state: 'streaming' };
  turns.push(turn);
  startAnswer(turn, view.appendAnswer());
  view.scrollToEnd();
  void client.send(request);
  // In idle time: storing a long thread must not delay the request or its first text.
  saving.soon();
}

function startEditing(): void {
  const index = lastUserIndex(turns);
  const last = turns[index];
  if (isActive(client.state) || !last) return;
  editing = true;
  page.editing.hidden = false;
  page.prompt.value = last.content;
  page.prompt.focus();
  page.prompt.setSelectionRange(last.content.length, last.content.length);
}

function stopEditing(): void {
  editing = false;
  page.editing.hidden = true;
}

function newChat(): void {
  settle?.();
  if (isActive(client.state)) return;
  stopEditing();
  turns = [];
  view.clear();
  saved.clear();
  showError(null);
  showNotice(null);
  clearMetrics();
  persist();
  showState('idle', { retry: 0 });
  page.prompt.focus();
}

/**
 * After a reload mid-answer, the stream is replayed from its first event into its own turn: what
 * the old page stored of it may lag behind, and a full replay is the one way to show it exactly,
 * with nothing missing and nothing twice. The stored text stays until the replay begins, and for
 * good if the stream is gone.
 */
function restoreThread(): void {
  const position = saved.load();
  const last = turns.at(-1);
  const resumable =
    position !== null &&
    last?.role === 'assistant' &&
    (last.streamId === position.streamId || last.state === 'streaming');
  if (resumable) last.state = 'streaming';
  else {
    // Its stream belonged to a tab that closed, or to no turn this tab has.
    if (last?.role === 'assistant' && last.state === 'streaming') last.state = 'cut';
    saved.clear();
  }
  view.restore(turns);
  view.scrollToEnd();
  showNotice(opened.notice);
  showState('idle', { retry: 0 });
  if (!resumable || !position || last?.role !== 'assistant') return;
  // A resumed answer shows what was stored of it, thinking included, until the replay begins.
  const elements = view.latestAnswer();
  if (!elements) return;
  startAnswer(last, elements, true);
  void client.resume(position.streamId);
}

page.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = page.prompt.value;
  ask(editing ? { type: 'edit', prompt } : { type: 'send', prompt });
});

page.stop.addEventListener('click', () => client.stop());

page.renderMode.value = answers.mode;
page.renderMode.addEventListener('change', () => {
  const mode = page.renderMode.value;
  if (!isRenderMode(mode)) return;
  answers.setMode(mode);
  saveRenderMode(() => localStorage, mode);
});

// A code block's button copies its code; an answer's "Copy" its Markdown exactly as it arrived.
// In a chunk of its own, loaded at once: a click in the moment before it is there does nothing.
import('./rendering/markdown/copy-actions.ts')
  .then(({ installCopyActions }) =>
    installCopyActions(page.conversation, (button) => {
      const content = button.closest('.turn')?.querySelector<HTMLElement>('.output');
      return content ? answers.sourceOf(content) : null;
    }),
  )
  .catch((error: unknown) => console.warn('Copy buttons are off:', error));
page.regenerate.addEventListener('click', () => ask({ type: 'regenerate' }));
page.newChat.addEventListener('click', newChat);
page.cancelEdit.addEventListener('click', () => {
  stopEditing();
  page.prompt.value = '';
  page.prompt.focus();
});
page.conversation.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button') : null;
  if (target?.id === 'edit-prompt') startEditing();
  if (target?.id === 'retry') ask({ type: 'regenerate' });
});

page.prompt.addEventListener('keydown', (event) => {
  // isComposing: Enter also confirms an IME candidate (Chinese, Japanese...), which must not send.
  if (event.isComposing) return;
  if (event.key === 'ArrowUp' && page.prompt.value === '' && !editing) {
    event.preventDefault();
    startEditing();
    return;
  }
  if (event.key !== 'Enter' || event.shiftKey) return;
  event.preventDefault();
  page.form.requestSubmit();
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  if (isActive(client.state)) {
    event.preventDefault();
    client.stop();
  } else if (editing) {
    event.preventDefault();
    stopEditing();
    page.prompt.value = '';
  }
});

// The last event id and the partial answer, for whoever resumes this tab's stream, without a
// storage write per event.
addEventListener('pagehide', () => {
  settle?.();
  saving.now();
  const position = client.position;
  if (!position || !isActive(client.state)) return;
  saved.save(position);
  persist();
});

// Frames stop in a hidden tab: an ended stream's last text is written at once.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) return;
  settle?.();
  saving.now();
});

// A duplicated tab starts with this tab's sessionStorage, so with its thread id: when another tab
// writes this tab's entry, this tab moves its own thread to a new one.
addEventListener('storage', (event) => {
  if (event.storageArea !== localStorage || event.newValue === null) return;
  if (event.key !== THREAD_KEY_PREFIX + threadId) return;
  threadId = store.claimNewId();
  persist();
});

showError(null);
restoreThread();
// The prompt is what this page is for; start there (an autofocus attribute is linted as an a11y risk).
page.prompt.focus();

// index.html ships a lone `mock` option, so the page works even when this fails; nothing to show.
loadModels()
  .then((list) => fillModelSelect(page.model, list))
  .catch((error: unknown) => console.warn('Keeping the default model list:', error));
