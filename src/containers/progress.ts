/**
 * The engine answers builds, pulls and pushes with a stream of JSON lines. This reads them: the text of
 * build steps, the status of layers, the final image id, and the error that ends a failed run.
 */

export interface ProgressMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string; Tag?: string };
}

export class EngineStreamError extends Error {}

/** Splits chunks into lines and parses each, keeping a partial line for the next chunk. */
export class ProgressParser {
  private pending = "";

  push(chunk: string): ProgressMessage[] {
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop() ?? "";
    return lines.flatMap(parseLine);
  }

  end(): ProgressMessage[] {
    const rest = this.pending;
    this.pending = "";
    return parseLine(rest);
  }
}

function parseLine(line: string): ProgressMessage[] {
  const text = line.trim();
  if (!text) return [];
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? [value as ProgressMessage] : [];
  } catch {
    // Not JSON: the engine never sends this, but a proxy in between might; keep the text.
    return [{ stream: `${text}\n` }];
  }
}

/**
 * Reads a progress stream to its end, handing each message to `onMessage`; rejects with the engine's
 * message when one carries `error` (a failed RUN step, an unknown image, a refused login).
 */
export function followProgress(
  stream: NodeJS.ReadableStream,
  onMessage: (message: ProgressMessage) => void,
): Promise<ProgressMessage[]> {
  const parser = new ProgressParser();
  const all: ProgressMessage[] = [];
  let failure: string | undefined;
  const handle = (messages: ProgressMessage[]) => {
    for (const message of messages) {
      all.push(message);
      if (message.error || message.errorDetail?.message) {
        failure ??= (message.errorDetail?.message ?? message.error)!.trim();
      }
      onMessage(message);
    }
  };
  return new Promise((resolve, reject) => {
    stream.on("data", (chunk: Buffer | string) => handle(parser.push(chunk.toString())));
    stream.once("error", reject);
    stream.once("end", () => {
      handle(parser.end());
      if (failure) reject(new EngineStreamError(failure));
      else resolve(all);
    });
  });
}
