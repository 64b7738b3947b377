import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import of a source file: what it names and whether only types cross the boundary. */
export interface ImportEdge {
  /** The importing file, relative to the repository root with forward slashes (src/graphql/api.ts). */
  from: string;
  /** The module as written ('typeorm', '../entities'). */
  specifier: string;
  /** For a relative specifier: the imported path relative to the root, without extension (src/entities/index). */
  target: string | null;
  typeOnly: boolean;
  /** Names imported (empty for a namespace, default-only or side-effect import). */
  names: string[];
}

const posix = (path: string) => path.split(sep).join('/');

export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every static import, re-export, `require()` and `import()` of one TypeScript file. */
export function importsOf(root: string, file: string, text = readFileSync(file, 'utf8')): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const from = posix(relative(root, file));
  const edges: ImportEdge[] = [];
  const add = (specifier: string, typeOnly: boolean, names: string[]) => {
    const target = specifier.startsWith('.') ? posix(relative(root, resolve(dirname(file), specifier))) : null;
    edges.push({ from, specifier, target, typeOnly, names });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly, named ? named.map((e) => (e.propertyName ?? e.name).text) : []);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly, named ? named.map((e) => (e.propertyName ?? e.name).text) : []);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isRequire || node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0].text, false, []);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The top-level folder of src/ a path belongs to ('graphql' for src/graphql/access/x), or null outside src/. */
export function areaOf(path: string): string | null {
  const match = /^src\/([^/]+)\//.exec(path);
  return match ? match[1] : null;
}
