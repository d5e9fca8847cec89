export {
  createTestDatabase,
  testDatabaseBaseUrl,
  DEFAULT_TEST_DATABASE_BASE_URL,
  type TestDatabase,
  type CreateTestDatabaseOptions,
} from './test-database';
