// Prism, once loaded, highlights every `code[class*=language-]` in the page on its own, by
// setting innerHTML. It must be told not to before its module runs; this module is imported first.
const global = globalThis as { Prism?: { manual?: boolean } };
global.Prism = { ...global.Prism, manual: true };
