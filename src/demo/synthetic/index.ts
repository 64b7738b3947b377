export {
  DEFAULT_DEMO_LAB,
  FULL_RATE,
  frameTimes,
  planDemoLab,
  type DemoLabOptions,
  type DemoLabPlan,
  type PlannedCycle,
  type PlannedEmbryo,
} from './demo-lab-plan';
export { drawStory, phaseAt, PHASES, type DevelopmentStory, type Fate, type Phase } from './development-story';
export { EXPORT_FOCAL_PLANES_UM, defocusSigma, encodePlane } from './focal-stack';
export { cycleSheet, writeDemoExport, type WrittenExport } from './folder-export-writer';
export { frameFileName, phaseRows, planeFolderName } from './export-annotations';
export { sceneAt } from './embryo-scene';
export { rasterise } from './raster';
export { SeededRandom } from './random';
