/** Entry point of `pnpm rename-scope`; `--help` says what it renames and what it leaves. */
import { renameScopeCommand } from './rename-scope-command.ts';

process.exitCode = await renameScopeCommand(process.argv.slice(2), process.cwd(), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
