import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';

export function registerServeCommands(program: Command, runtime: CliRuntime): void {
  program
    .command('serve')
    .description('run the API, the scheduler and a scoring worker in one process')
    .option('--no-worker', 'do not score in this process')
    .option('--no-scheduler', 'do not enqueue cron-driven scoring from this process')
    .action((opts: { worker: boolean; scheduler: boolean }) =>
      runtime.serve({ http: true, worker: opts.worker, scheduler: opts.scheduler, firstStart: false }),
    );

  program
    .command('start')
    .description(
      'what `npm start` runs: migrate, on an empty database create the demo admin and seed the demo lab, then serve',
    )
    .option('--no-worker', 'do not score in this process')
    .option('--no-scheduler', 'do not enqueue cron-driven scoring from this process')
    .option('--no-demo', 'do not seed the demo lab on first start')
    .action((opts: { worker: boolean; scheduler: boolean; demo: boolean }) =>
      runtime.serve({ http: true, worker: opts.worker, scheduler: opts.scheduler, firstStart: true, demo: opts.demo }),
    );

  program
    .command('worker')
    .description('run a scoring worker only (any number of them can share one database)')
    .action(() => runtime.serve({ http: false, worker: true, scheduler: false, firstStart: false }));
}
