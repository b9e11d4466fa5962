// The preset ships no types; this is the part the reference tests use.
declare module "conventional-changelog-conventionalcommits" {
  import type { Options } from "conventional-changelog-writer";
  import type { ParserOptions } from "conventional-commits-parser";

  interface Preset {
    parser: ParserOptions;
    writer: Options;
    whatBump(commits: unknown[]): { level: 0 | 1 | 2; reason: string } | null;
  }

  export default function createPreset(config?: Record<string, unknown>): Promise<Preset>;
}
