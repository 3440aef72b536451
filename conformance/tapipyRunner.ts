// Runs a short Python script against the real tapipy in its own venv (requirements-tapipy.txt),
// for tapipy.test.ts and keyportWithTapipy.test.ts. The prelude imports tapipy and gives every
// script emit(value) (one JSON line, the last on stdout, which is what the test reads) and
// error(e) ([class name, str(e)]).
import { runPython } from './pythonEnv.ts';

const PRELUDE = `
import json, os, sys
from tapipy.tapis import Tapis, get_basic_auth_header
URL = os.environ.get('URL', '')
def emit(value):
    sys.stdout.write('\\n' + json.dumps(value, default=repr) + '\\n')
def error(e):
    return [type(e).__name__, str(e)]
`;

/** Runs PRELUDE + script with `env`; throws with Python's stderr unless it exits 0. */
export async function tapipy<T>(script: string, env: Record<string, string> = {}): Promise<T> {
  const result = await runPython(PRELUDE + script, [], { venv: 'tapipy', env: { TZ: 'UTC', ...env } });
  if (result.code !== 0) throw new Error(`python ${result.timedOut ? 'timed out' : `exited with ${String(result.code)}`}\n${result.stderr}\n${result.stdout}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
