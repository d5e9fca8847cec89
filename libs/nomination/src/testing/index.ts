export * from './nomination.fixtures';
