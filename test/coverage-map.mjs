// tap's coverage map: whatever test runs, coverage is counted on src/ alone. Without it tap also counts
// dist/ (the bundle that child processes run) and other build output, which is not code anyone wrote.
export default () => 'src/**/*.ts'
