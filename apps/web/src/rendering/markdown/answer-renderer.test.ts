// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { fakeFrames } from '../../test-support/fake-frames.ts';
import { createAnswerRenderer, createAnswerRenderers } from './answer-renderer.ts';
import { createMarkdownDocument } from './markdown-document.ts';
import { renderChunks } from './test-support/render.ts';

const markdown = (element: HTMLElement) => createMarkdownDocument(element);

function setUp(mode: 'markdown' | 'text' = 'markdown') {
  const element = document.createElement('div');
  const frames = fakeFrames();
  const renderer = createAnswerRenderer(element, { mode, scheduler: frames.scheduler, markdown });
  return { element, frames, renderer };
}

const answer = '# Plan\n\n- **one**\n- two\n\n```js\nlet a = 1;\n```\n\n<b>&amp;</b>\r\n  tail';

describe('createAnswerRenderer', () => {
  it('renders Markdown once per frame, by default', () => {
    const { element, frames, renderer } = setUp();
    renderer.push('# Pl');
    renderer.push('an\n');
    expect(element.innerHTML).toBe('');
    frames.runFrame();
    expect(element.innerHTML).toBe('<div class="md-part"><h1>Plan</h1></div>');
    expect(element.dataset.renderMode).toBe('markdown');
  });

  it('shows the exact text in text mode', () => {
    const { element, frames, renderer } = setUp('text');
    for (const chunk of answer.match(/.{1,3}/gs) ?? []) renderer.push(chunk);
    frames.runFrame();
    expect(element.textContent).toBe(answer);
    expect(element.querySelector('h1, strong, code')).toBeNull();
  });

  it('switches mid-stream both ways and loses nothing, queued text included', () => {
    const { element, frames, renderer } = setUp();
    renderer.push(answer.slice(0, 20));
    frames.runFrame();
    renderer.push(answer.slice(20, 40));
    renderer.setMode('text');
    frames.runFrame();
    expect(element.textContent).toBe(answer.slice(0, 40));
    renderer.push(answer.slice(40, 60));
    frames.runFrame();
    renderer.setMode('markdown');
    renderer.push(answer.slice(60));
    renderer.flush();
    expect(element.innerHTML).toBe(renderChunks([answer]).innerHTML);
    renderer.setMode('text');
    frames.runFrame();
    expect(element.textContent).toBe(answer);
    expect(element.dataset.renderMode).toBe('text');
  });

  it('shows the exact text until the Markdown renderer has loaded, then the answer again', async () => {
    const element = document.createElement('div');
    const frames = fakeFrames();
    let arrive: (factory: typeof markdown) => void = () => {};
    const loading = new Promise<typeof markdown>((resolve) => {
      arrive = resolve;
    });
    const renderer = createAnswerRenderer(element, {
      scheduler: frames.scheduler,
      markdown: loading,
    });
    renderer.push('# Pl');
    frames.runFrame();
    expect(element.textContent).toBe('# Pl');
    expect(element.dataset.renderMode).toBe('text');
    renderer.push('an\n- a');
    arrive(markdown);
    await loading;
    await Promise.resolve();
    frames.runFrame();
    expect(element.innerHTML).toBe(renderChunks(['# Plan\n- a']).innerHTML);
    expect(element.dataset.renderMode).toBe('markdown');
  });

  it('keeps the exact source for copying, and forgets it on clear', () => {
    const { element, renderer } = setUp();
    renderer.push(answer);
    expect(renderer.source).toBe(answer);
    renderer.clear();
    expect(renderer.source).toBe('');
    expect(element.innerHTML).toBe('');
  });
});

describe('createAnswerRenderers', () => {
  it('switches every answer still on the page, and gives each its own source', () => {
    const answers = createAnswerRenderers({ mode: 'text', markdown });
    const shown = (text: string) => {
      const element = document.createElement('div');
      document.body.append(element);
      const renderer = answers.create(element);
      renderer.push(text);
      renderer.flush();
      return element;
    };
    const first = shown('# One\n');
    const second = shown('**two**');
    const gone = shown('gone');
    gone.remove();
    answers.setMode('markdown');
    expect(answers.mode).toBe('markdown');
    expect(first.dataset.renderMode).toBe('markdown');
    expect(second.dataset.renderMode).toBe('markdown');
    expect(gone.dataset.renderMode).toBe('text');
    expect(answers.sourceOf(second)).toBe('**two**');
    expect(answers.sourceOf(document.createElement('div'))).toBeNull();
    const later = document.createElement('div');
    answers.create(later);
    expect(later.dataset.renderMode).toBe('markdown');
  });
});
