import type { RegisterCommands } from '../runtime';
import { registerAccountCommands } from './accounts';
import { registerDatabaseCommands } from './database';
import { registerDemoCommand } from './demo';
import { registerEvaluateCommand } from './evaluate';
import { registerExportCommands } from './export';
import { registerImportCommands } from './import';
import { registerModelCommands } from './model';
import { registerModelRegistryCommands } from './model-registry';
import { registerModelTuneCommand } from './model-tune';
import { registerScoreCommands } from './score';
import { registerServeCommands } from './serve';

// One line per command module. Keep it a plain list so adding a command is a one-line change.
export const commandModules: RegisterCommands[] = [
  registerServeCommands,
  registerDatabaseCommands,
  registerAccountCommands,
  registerModelCommands,
  registerModelRegistryCommands, // after the inference module's `model` group
  registerModelTuneCommand,
  registerEvaluateCommand,
  registerExportCommands,
  registerDemoCommand,
  registerScoreCommands,
  registerImportCommands,
];
