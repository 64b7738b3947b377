import type { RegisterCommands } from '../runtime';
import { registerAccountLifecycleCommands } from './account-lifecycle';
import { registerAccountCommands } from './accounts';
import { registerAuditCommands } from './audit';
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
import { registerSourceCommands } from './sources';
import { registerTrainCommand } from './train';

// One line per command module. Keep it a plain list so adding a command is a one-line change.
export const commandModules: RegisterCommands[] = [
  registerServeCommands,
  registerDatabaseCommands,
  registerAccountCommands,
  registerAccountLifecycleCommands, // after the `user` group of registerAccountCommands
  registerModelCommands,
  registerModelRegistryCommands, // after the inference module's `model` group
  registerModelTuneCommand,
  registerEvaluateCommand,
  registerExportCommands,
  registerDemoCommand,
  registerScoreCommands,
  registerImportCommands,
  registerAuditCommands,
  registerSourceCommands,
  registerTrainCommand,
];
