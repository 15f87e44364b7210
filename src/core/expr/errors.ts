/** Error in a user formula: `position` (0-based character index) and `length` mark the offending text. */
export class ExprError extends Error {
  position: number;
  length: number;

  constructor(message: string, position: number, length = 1) {
    super(message);
    this.name = 'ExprError';
    this.position = position;
    this.length = length;
  }
}
