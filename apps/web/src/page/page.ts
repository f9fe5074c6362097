/**
 * The elements of the page contract. Their ids are public: the e2e tests and forks rely on them, so
 * renaming one in index.html must fail at start-up rather than leave a dead control.
 */
export interface PageElements {
  form: HTMLFormElement;
  prompt: HTMLTextAreaElement;
  model: HTMLSelectElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  conversation: HTMLElement;
  renderMode: HTMLSelectElement;
  regenerate: HTMLButtonElement;
  newChat: HTMLButtonElement;
  editing: HTMLElement;
  cancelEdit: HTMLButtonElement;
  notice: HTMLElement;
  status: HTMLElement;
  error: HTMLElement;
  metrics: HTMLElement;
}

interface ElementLookup {
  getElementById(id: string): Element | null;
}

type Constructor<T> = abstract new (...args: never[]) => T;

export function requireElement<T extends Element>(
  root: ElementLookup,
  id: string,
  type: Constructor<T>,
): T {
  const element = root.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}; the page cannot start without it.`);
  if (!(element instanceof type)) {
    throw new Error(`#${id} must be a ${type.name}, found <${element.tagName.toLowerCase()}>.`);
  }
  return element;
}

export function getPageElements(root: ElementLookup = document): PageElements {
  return {
    form: requireElement(root, 'chat-form', HTMLFormElement),
    prompt: requireElement(root, 'prompt', HTMLTextAreaElement),
    model: requireElement(root, 'model', HTMLSelectElement),
    send: requireElement(root, 'send', HTMLButtonElement),
    stop: requireElement(root, 'stop', HTMLButtonElement),
    conversation: requireElement(root, 'conversation', HTMLElement),
    renderMode: requireElement(root, 'render-mode', HTMLSelectElement),
    regenerate: requireElement(root, 'regenerate', HTMLButtonElement),
    newChat: requireElement(root, 'new-chat', HTMLButtonElement),
    editing: requireElement(root, 'editing', HTMLElement),
    cancelEdit: requireElement(root, 'cancel-edit', HTMLButtonElement),
    notice: requireElement(root, 'thread-notice', HTMLElement),
    status: requireElement(root, 'status', HTMLElement),
    error: requireElement(root, 'error', HTMLElement),
    metrics: requireElement(root, 'metrics', HTMLElement),
  };
}
