/**
 * Synchronous, once-per-process loading of the Emscripten codec builds.
 * The WebAssembly is compiled and instantiated synchronously (allowed in
 * Node.js for any size) so that decoding stays a plain function call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The WebAssembly JS API as used here (the compile target's lib does not declare it). */
interface WasmInstance {
  readonly exports: object;
}
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => WasmInstance;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The part of an Emscripten module object the loader touches. */
interface EmscriptenModuleArg {
  instantiateWasm(imports: object, done: (instance: WasmInstance) => void): object;
  print(): void;
  printErr(): void;
}
type EmscriptenFactory = (module: EmscriptenModuleArg) => unknown;

/** A C++ object created by embind: must be deleted to free its WebAssembly memory. */
export interface EmbindObject {
  delete(): void;
}

const loaded = new Map<string, Record<string, unknown>>();

/**
 * The module from `glue` (its resolved file name) with the WebAssembly file
 * `wasmFile` beside it. `factory` is the glue's export, obtained by the caller
 * with a literal `require` so that bundlers see which package is needed.
 */
export function instantiateCodec(glue: string, wasmFile: string, factory: unknown): Record<string, unknown> {
  const cached = loaded.get(glue);
  if (cached) return cached;
  if (typeof factory !== 'function') throw new Error('codec glue does not export a module factory');
  const bytes = fs.readFileSync(path.join(path.dirname(glue), wasmFile));
  const moduleArg: EmscriptenModuleArg & Record<string, unknown> = {
    instantiateWasm(imports, done) {
      const instance = new webAssembly.Instance(new webAssembly.Module(bytes), imports);
      done(instance);
      return instance.exports;
    },
    // Emscripten would otherwise write codec diagnostics to stdout/stderr.
    print() {},
    printErr() {},
  };
  (factory as EmscriptenFactory)(moduleArg);
  loaded.set(glue, moduleArg);
  return moduleArg;
}

/**
 * Drops a module after a failure inside it: an aborted Emscripten runtime
 * (out of memory, trap) refuses every later call, so the next frame gets a
 * fresh instance.
 */
export function discardCodec(glue: string): void {
  loaded.delete(glue);
}

/** Names of the codec modules instantiated so far (for tests of lazy loading). */
export function loadedCodecs(): string[] {
  return [...loaded.keys()].map((file) => path.basename(file));
}

/** The embind class `name` of a loaded module. */
export function embindClass<T>(module: Record<string, unknown>, name: string): new () => T {
  const value = module[name];
  if (typeof value !== 'function') throw new Error('codec module lacks an expected class');
  return value as new () => T;
}
