// Package sweep runs parameter sweeps and a CMA-ES optimiser over
// simulated rollouts: `stride sweep run|report|gather|optimize`.
//
// A spec (YAML; Load) names a scenario (model, terrain, command script or
// a walk command, duration, sensor noise), parameters — any runtime or
// walker config key by its dotted path (runtime.Config.Set checks it
// against the config schema), the scenario's walk command (command.vx,
// command.vy, command.yaw_rate) or gait.step_frequency — as value lists,
// grids or seeded random ranges, and the seeds. Every parameter set is
// checked before any rollout runs. Rollouts run in process, one world and
// one loop per worker goroutine (tools/simrun), each a pure function of its
// parameters and seed: its row (Row) depends on nothing else, so shards
// (Shard) and any worker count give the same rows, bit for bit. Rows are
// appended to a JSON-lines file one whole line per write, so an
// interrupted sweep resumes where it stopped; Gather merges shard files
// and writes the CSV; Report ranks the parameter sets and plots metrics
// against parameters; Optimize runs gonum's CMA-ES (CmaEsChol) over
// continuous parameters, its evaluations memoised in a state file so a
// resumed run replays the same path.
//
// Must not import: tools/stride.
// Imported only by: tools/....
package sweep
