/** Captures everything written to stdout/stderr (Powertools logs go there) while a test runs. */
export interface OutputCapture {
  text(): string;
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }));
  return {
    text: () => chunks.join(''),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
