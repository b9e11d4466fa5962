/** Temp directories for one test file, each removed after the test that made it. */
export { useTempDirs } from "../../src/test-support/git-fixtures.js";
