import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Problems } from '../limits';

/** A problem collector that skips unresolved tokens (their values are only known at apply time). */
export function synthProblems(): Problems {
  return new Problems((value) => Token.isUnresolved(value));
}

/** Throws one error that names the construct path and lists every problem. */
export function throwIfInvalid(scope: IConstruct, problems: Problems): void {
  problems.throwIfAny(`props for '${scope.node.path}'`);
}
