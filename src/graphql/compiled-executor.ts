import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  Kind,
  OperationTypeNode,
  typeFromAST,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter (issue #18): each parsed
 * document is compiled once into a function that resolves exactly its fields, so a cycle view's
 * ~1 700 fields no longer each pay for an info object, argument coercion and a null-prototype
 * result object. Parsing, validation, the protection plugins, error formatting and the audit flush
 * stay Apollo's; only execution changes.
 *
 * Only queries without input objects are compiled. graphql-jit does not apply the default values of
 * input object fields given as variables and turns an unset variable inside an input object
 * literal into null (graphql-jit issues #142 and #91), which would change what a mutation means
 * (an omitted field is "keep", null is "clear"); mutations, and any operation with an input object,
 * run on graphql-js as before. No query of this schema takes an input object today.
 *
 * A document is compiled when it runs for the `compileAt`-th time (default: the second), before
 * that graphql-js interprets it: compiling costs about as much as a few runs (3–5 ms for a cycle
 * view), which a client's repeated screens repay at once and a one-off query (an explorer, a
 * caller sending ever new documents) never should. Compiled operations are kept beside Apollo's
 * own document cache: keyed by the DocumentNode that cache hands out (a WeakMap), they go when
 * Apollo evicts the document, so new queries cannot grow this cache.
 */
export function compiledExecutor(
  schema: GraphQLSchema,
  options: { serializers?: CompiledSerializers; compileAt?: number } = {},
): GatewayExecutor {
  const { serializers, compileAt = 2 } = options;
  /** Per document and operation name: compiled, never to be compiled, or how often it ran so far. */
  const compiledByDocument = new WeakMap<DocumentNode, Map<string, CompiledQuery | 'interpret' | number>>();

  function compile(document: DocumentNode, operationName: string | undefined): CompiledQuery | ExecutionResult {
    // stack traces of resolver errors are never shown (format-error.ts), so do not pay for them here
    const options = { disablingCapturingStackErrors: true };
    if (serializers) {
      // with a JSON serializer generated for the operation's fields (CompiledSerializers); graphql-jit
      // cannot generate one for a custom scalar (DateTimeISO), and such an operation is written by JSON.stringify
      const withSerializer = compileQuery(schema, document, operationName, { ...options, customJSONSerializer: true });
      if (isCompiledQuery(withSerializer)) return withSerializer;
    }
    return compileQuery(schema, document, operationName, options);
  }

  function compiledFor(
    document: DocumentNode,
    operationName: string | undefined,
  ): CompiledQuery | ExecutionResult | 'interpret' {
    let byOperation = compiledByDocument.get(document);
    if (!byOperation)
      compiledByDocument.set(document, (byOperation = new Map<string, CompiledQuery | 'interpret' | number>()));
    const key = operationName ?? '';
    const known = byOperation.get(key) ?? 0;
    if (typeof known !== 'number') return known;
    if (known + 1 < compileAt) {
      byOperation.set(key, known + 1);
      return 'interpret';
    }
    const compiled = compilable(schema, document, operationName) ? compile(document, operationName) : 'interpret';
    if (compiled !== 'interpret' && !isCompiledQuery(compiled)) return compiled;
    byOperation.set(key, compiled);
    return compiled;
  }

  return async (request) => {
    const operation = compiledFor(request.document, request.operationName ?? undefined);
    if (operation === 'interpret')
      return execute({
        schema,
        document: request.document,
        contextValue: request.context,
        variableValues: request.request.variables,
        operationName: request.operationName,
      });
    const result = isCompiledQuery(operation)
      ? await operation.query(undefined, request.context, request.request.variables ?? {})
      : operation;
    if (
      serializers &&
      isCompiledQuery(operation) &&
      operation.stringify !== JSON.stringify &&
      result.data &&
      !result.errors
    )
      serializers.remember(result.data, operation);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
}

/** A query (not a mutation) with no input object among its variables or argument literals. */
function compilable(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation =
    operations.find((o) => o.name?.value === operationName) ?? (operationName ? undefined : operations[0]);
  if (!operation || operation.operation !== OperationTypeNode.QUERY) return false;
  let inputObject = false;
  visit(document, {
    ObjectValue() {
      inputObject = true;
      return BREAK;
    },
    VariableDefinition(node) {
      const type = typeFromAST(schema, node.type);
      if (!type || isInputObjectType(getNamedType(type))) {
        inputObject = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return !inputObject;
}

/**
 * graphql-jit's errors imitate graphql-js's (same prototype) but leave `extensions` undefined and
 * their properties read-only, which Apollo's error formatting does not expect; rebuilt as real
 * GraphQLErrors (same message, path, locations and original error) they format exactly as before.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
  if (error.locations) Object.defineProperty(rebuilt, 'locations', { value: error.locations, enumerable: true });
  return rebuilt;
}

/**
 * Apollo's `stringifyResult` for compiled operations: an answer whose data a compiled operation
 * produced (and that has no errors or extensions) is written by that operation's generated
 * serializer, ~3× faster than JSON.stringify for a cycle view (31 kB: 85 against 236 µs) and the
 * same bytes (test/graphql/compiled-executor.test.ts); every other answer by JSON.stringify, as
 * Apollo does. The data object itself is the key, so an answer replaced by a plugin (the audit
 * flush's 500) is never written with a stale serializer.
 */
export class CompiledSerializers {
  private readonly byData = new WeakMap<object, CompiledQuery>();

  remember(data: object, operation: CompiledQuery): void {
    this.byData.set(data, operation);
  }

  /** The compiled operation that writes this answer, if any. */
  serializerOf(value: FormattedExecutionResult): CompiledQuery | undefined {
    return value.data && value.errors === undefined && value.extensions === undefined
      ? this.byData.get(value.data)
      : undefined;
  }

  readonly stringifyResult = (value: FormattedExecutionResult): string => {
    const operation = this.serializerOf(value);
    return `${operation ? operation.stringify({ data: value.data }) : JSON.stringify(value)}\n`;
  };
}

/**
 * The smallest gateway Apollo Server accepts: our own schema, executed by `compiledExecutor`.
 * (Apollo's documented way to replace its executor; nothing here is federated.)
 */
export function compiledExecutionGateway(schema: GraphQLSchema, serializers: CompiledSerializers): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor: compiledExecutor(schema, { serializers }) };
    },
    async stop() {},
  };
}
