import { errorText } from '../error-text';
import type { EmscriptenOptions } from './cornerstone-codec-types';

/**
 * One lazily instantiated WebAssembly codec module. The module is created on first use (the .wasm
 * file ships inside its npm package; nothing is fetched) and reused. Its console output is
 * collected per call, because OpenJPEG and OpenJPH explain failures only there. After a failure the
 * module is dropped and the next call gets a fresh one: a C++ exception unwinding through the
 * decoder can leave its heap inconsistent.
 */
export class WasmCodec<M> {
  private module: Promise<M> | null = null;
  private messages: string[] = [];

  constructor(
    readonly name: string,
    private readonly factory: (options: EmscriptenOptions) => Promise<unknown>,
  ) {}

  async run<T>(work: (module: M) => T): Promise<T> {
    const pending = (this.module ??= this.factory({
      print: (t) => this.note(t),
      printErr: (t) => this.note(t),
    }) as Promise<M>);
    let module: M;
    try {
      module = await pending;
    } catch (error) {
      this.module = null;
      throw new Error(`the ${this.name} decoder (WebAssembly) cannot be loaded: ${errorText(error)}`);
    }
    this.messages = [];
    try {
      return work(module);
    } catch (error) {
      this.module = null;
      // a C++ exception reaches JavaScript as a bare number (a pointer): say what it means
      const text =
        typeof error === 'number'
          ? `the ${this.name} decoder rejected the code stream (corrupt or unsupported data)`
          : errorText(error);
      const said = this.complaints();
      throw new Error(said ? `${text}; ${said}` : text);
    }
  }

  /** The decoder's own account of the last call: its first distinct error and warning lines. */
  private complaints(): string {
    const lines = new Set(this.messages.filter((m) => /error|warn|fail|corrupt|invalid/i.test(m)));
    return [...lines].slice(0, 2).join('; ');
  }

  private note(text: string): void {
    if (this.messages.length < 50) this.messages.push(text.replace(/^\[(ERROR|WARNING)\]\s*/, '').trim());
  }
}
