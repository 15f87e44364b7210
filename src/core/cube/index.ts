/** Spectrum images: cube helpers, multifit (serpentine / flyback / smart), the linear fast path, simulation. */
export { cubeDims, cubeSpectrum, fitChannels, makeCube, scanOrder, signalAxis, CubeError, type CubeDims } from './cube';
export { multifit, PIXEL_STATUS, type MultifitOptions, type MultifitOrder, type MultifitResult, type MultifitSeed, type PixelReport } from './multifit';
export { PixelFitter, type PixelFit, type PixelFitterOptions, type VarianceMode } from './pixel-fitter';
export { linearDesign, linearMultifit, LINEAR_PARAMETERS, type LinearAnalysis, type LinearDesign, type LinearMultifitOptions } from './linear';
export { boundedLeastSquares, makeBoundedLsqWork, type BoundedLsqWork } from './bounded-lsq';
export { simulateEdsMap, edsModel, edsTruthAt, withValues, EDS_LINES, type EdsMapOptions, type SimulatedMap, type EdsModelOptions, type EdsLine } from './simulate';
