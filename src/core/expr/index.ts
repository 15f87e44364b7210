export { ExprError } from './errors';
export type { ExprNode, BinaryOp, FunctionName, InternalFunctionName, ConstantName } from './ast';
export { FUNCTION_NAMES, CONSTANT_NAMES } from './ast';
export { parseExpression, MAX_FORMULA_LENGTH, MAX_NESTING } from './parse';
export { formatExpression } from './format';
export { differentiateExpression, simplifyExpression } from './differentiate';
export { compileExpression, type CompiledExpression, type CompileOptions } from './compile';
