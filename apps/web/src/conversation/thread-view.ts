import type { AnswerRendererFactory } from '../rendering/answer-renderer.ts';
import { createButton } from '../rendering/button.ts';
import {
  createReasoningElement,
  createReasoningView,
  REASONING_ID,
  type ReasoningParts,
} from '../rendering/reasoning-view.ts';
import { createBlockSink } from '../rendering/text-blocks.ts';
import type { AnswerState, Turn } from './thread.ts';

/** The id of the latest answer's text, the one that streams: part of the page contract. */
export const OUTPUT_ID = 'gpt-output';

/** What a reader is told about an answer that did not finish, under its partial text. */
export const ANSWER_NOTES: Partial<Record<AnswerState, string>> = {
  stopped:
    'Stopped. This partial answer stays in the conversation and is sent with your next message.',
  cut: 'Cut off before it finished. This partial answer stays in the conversation and is sent with your next message.',
  error:
    'This answer ended with an error. What arrived stays in the conversation and is sent with your next message.',
};

export interface ThreadControls {
  /** Moved into the last prompt while the page is idle. */
  edit: HTMLButtonElement;
  /** Moved into the last answer when it failed. */
  retry: HTMLButtonElement;
}

/** The parts of an answer that stream: its thinking and its text. */
export interface AnswerElements {
  content: HTMLElement;
  thinking: ReasoningParts;
}

export interface ThreadView {
  /** Renders a whole thread once, in one insertion: the way a reload shows it. */
  restore(turns: readonly Turn[]): void;
  appendPrompt(text: string): void;
  /**
   * Adds an empty answer and returns its elements, which take over `#gpt-output` and
   * `#gpt-reasoning`.
   */
  appendAnswer(): AnswerElements;
  /** The latest answer's elements, for a reload that resumes it. */
  latestAnswer(): AnswerElements | null;
  /** Removes the turns from `index` on: the exchange a regenerate or an edit replaces. */
  truncate(index: number): void;
  /** Removes the first `count` turns, which the storage could not keep. */
  dropOldest(count: number): void;
  clear(): void;
  /** The latest answer's state, and what the reader is told about it. */
  markAnswer(state: AnswerState): void;
  setBusy(busy: boolean): void;
  /** Edit goes on the last prompt, Try again on a failed last answer; both only when idle. */
  placeControls(idle: boolean): void;
  scrollToEnd(): void;
}

/** In blocks of whole lines, as answers are: one long text node is laid out whole on every frame. */
function writePrompt(content: HTMLElement, text: string): void {
  createBlockSink(content, () => document.createElement('span')).append(text);
}

/** Copies the answer's Markdown source exactly (copy-actions.ts handles every copy button). */
function copyButton(): HTMLButtonElement {
  return createButton('turn-action copy-answer', 'Copy', {
    'data-copy': 'answer',
    'aria-label': 'Copy this answer as Markdown',
  });
}

/**
 * `#conversation`: one element per turn, oldest first, each written once. Turns are never
 * re-rendered: only the latest answer's renderer writes, so the cost of an answer does not grow
 * with the thread.
 */
export function createThreadView(
  container: HTMLElement,
  createRenderer: AnswerRendererFactory,
  controls: ThreadControls,
): ThreadView {
  const turns: HTMLElement[] = [];
  /** Each answer's thinking section, found again by its turn. */
  const thinkingOf = new WeakMap<HTMLElement, ReasoningParts>();

  function turnElement(role: Turn['role']): { turn: HTMLElement; content: HTMLElement } {
    const turn = document.createElement('article');
    turn.className = 'turn';
    turn.dataset.role = role;
    turn.setAttribute('aria-label', role === 'user' ? 'You' : 'Answer');
    const content = document.createElement('div');
    content.className = role === 'user' ? 'turn-content prompt-text' : 'turn-content output';
    if (role === 'assistant') {
      // Above the answer, hidden until the model thinks.
      const { details, parts } = createReasoningElement();
      turn.append(details);
      thinkingOf.set(turn, parts);
    }
    turn.append(content);
    if (role === 'assistant') turn.append(copyButton());
    return { turn, content };
  }

  function elementsOf(turn: HTMLElement | undefined): AnswerElements | null {
    const content = turn?.querySelector<HTMLElement>('.output');
    const thinking = turn && thinkingOf.get(turn);
    return content && thinking ? { content, thinking } : null;
  }

  function latestAnswer(): HTMLElement | undefined {
    return turns.findLast((turn) => turn.dataset.role === 'assistant');
  }

  /** Exactly one element holds each id: the latest answer's text, and its thinking. */
  function moveOutputId(content: HTMLElement | null): void {
    document.getElementById(OUTPUT_ID)?.removeAttribute('id');
    document.getElementById(REASONING_ID)?.removeAttribute('id');
    if (!content) return;
    content.id = OUTPUT_ID;
    content.parentElement?.querySelector('.reasoning')?.setAttribute('id', REASONING_ID);
  }

  function setNote(turn: HTMLElement, state: AnswerState): void {
    turn.dataset.state = state;
    turn.querySelector('.turn-note')?.remove();
    const note = ANSWER_NOTES[state];
    if (!note) return;
    const paragraph = document.createElement('p');
    paragraph.className = 'turn-note';
    paragraph.textContent = note;
    turn.append(paragraph);
  }

  function build(turn: Turn): HTMLElement {
    const { turn: element, content } = turnElement(turn.role);
    if (turn.role === 'user') writePrompt(content, turn.content);
    else {
      const renderer = createRenderer(content);
      renderer.push(turn.content);
      renderer.flush();
      const thinking = thinkingOf.get(element);
      if (turn.reasoning && thinking) {
        createReasoningView(thinking).restore(turn.reasoning, turn.thoughtMs);
      }
      setNote(element, turn.state);
    }
    return element;
  }

  function removeAll(elements: HTMLElement[]): void {
    for (const element of elements) element.remove();
    moveOutputId(latestAnswer()?.querySelector<HTMLElement>('.output') ?? null);
  }

  return {
    restore(list) {
      const fragment = document.createDocumentFragment();
      for (const turn of list) {
        const element = build(turn);
        turns.push(element);
        fragment.append(element);
      }
      container.append(fragment);
      moveOutputId(latestAnswer()?.querySelector<HTMLElement>('.output') ?? null);
    },
    appendPrompt(text) {
      const { turn, content } = turnElement('user');
      writePrompt(content, text);
      turns.push(turn);
      container.append(turn);
    },
    appendAnswer() {
      // Earlier answers keep their thinking, collapsed: only the latest one's may be open.
      const previous = latestAnswer()?.querySelector('details.reasoning');
      if (previous instanceof HTMLDetailsElement) previous.open = false;
      const { turn, content } = turnElement('assistant');
      turn.dataset.state = 'streaming';
      turns.push(turn);
      container.append(turn);
      moveOutputId(content);
      return elementsOf(turn) as AnswerElements;
    },
    latestAnswer() {
      return elementsOf(latestAnswer());
    },
    truncate(index) {
      removeAll(turns.splice(index));
    },
    dropOldest(count) {
      removeAll(turns.splice(0, count));
    },
    clear() {
      turns.length = 0;
      container.replaceChildren();
    },
    markAnswer(state) {
      const turn = latestAnswer();
      if (turn) setNote(turn, state);
    },
    setBusy(busy) {
      // Screen readers announce the thread once an answer is whole, not token by token.
      container.setAttribute('aria-busy', String(busy));
      document.getElementById(OUTPUT_ID)?.setAttribute('aria-busy', String(busy));
    },
    placeControls(idle) {
      const lastPrompt = turns.findLast((turn) => turn.dataset.role === 'user');
      const last = turns.at(-1);
      if (idle && lastPrompt) lastPrompt.append(controls.edit);
      else controls.edit.remove();
      const failed = last?.dataset.state === 'error' || last?.dataset.state === 'cut';
      if (idle && failed && last) last.append(controls.retry);
      else controls.retry.remove();
    },
    scrollToEnd() {
      container.scrollTop = container.scrollHeight;
    },
  };
}
