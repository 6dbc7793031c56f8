export { CronScheduler, type CronSchedulerOptions } from './CronScheduler.ts';
