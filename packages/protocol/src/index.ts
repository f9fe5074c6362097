export * from './api.ts';
export * from './chat-request.ts';
export * from './conversation.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './http.ts';
export * from './resume.ts';
export * from './sse-encoder.ts';
