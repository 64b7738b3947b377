import { readFileSync } from 'node:fs';

/** One Dockerfile instruction, continuation lines joined, comments dropped. */
export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

/** The stages of a Dockerfile: instructions between one FROM and the next. */
export interface DockerStage {
  from: string;
  name: string | undefined;
  instructions: DockerInstruction[];
}

/** Parses enough of the Dockerfile syntax for structural checks (no Docker engine on CI machines). */
export function parseDockerfile(path: string): DockerStage[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const instructions: DockerInstruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    while (text.endsWith('\\') && i + 1 < lines.length) {
      text = text.slice(0, -1) + ' ' + lines[++i].trim();
    }
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(text);
    if (!match) throw new Error(`${path}:${start + 1}: not an instruction: ${text}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: start + 1 });
  }
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`${path}:${ins.line}: bad FROM`);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${path}:${ins.line}: ${ins.keyword} before FROM`);
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

export const all = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
