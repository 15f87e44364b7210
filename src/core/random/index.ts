export { Rng, createRng, type RngState } from './rng';
export { poissonDraw, type UniformSource } from './poisson';
export { logFactorial } from './log-factorial';
