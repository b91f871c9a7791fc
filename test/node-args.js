// How node runs every test process (test/run.js) and every server, CLI and script a test starts
// (test/helpers/programs.ts), when the tests run compiled.
// --liftoff-only: V8 compiles PGlite's WebAssembly (a whole PostgreSQL) with its baseline compiler only,
// without optimising the hot functions again on background threads; for processes that live seconds,
// that measured 10 to 18% less CPU for a PGlite test file, and no slower. Production is not affected.
export const NODE_ARGS = ['--enable-source-maps', '--liftoff-only']
