// Package runtime owns Stride's control loop and nothing else: the fixed-rate
// tick, its timing and overrun accounting, the mode state machine, the
// safety layer, command input and configuration. docs/runtime.md and
// docs/commands.md are the user's guide.
//
// # The tick
//
// Loop.tick is the loop of DESIGN.md, one stage per line:
//
//	begin     timing; the safe point where a reloaded config takes effect
//	read      hal.Robot.Read(&sensors)
//	estimate  Estimator.Update(&sensors, &estimate)
//	commands  the script, the Mux (UDP, gamepad, keyboard): set-points, mode requests
//	control   the current mode's command (damping, standup, stand, locomotion, estop),
//	          blended from the previous mode's after a requested switch
//	safety    limits, watchdog, NaN/Inf, fall, e-stop, bus faults: may replace the
//	          command with damping's (or estop's) on this very tick
//	write     hal.Robot.Write(&command); a refused write halts the robot
//	log       Recorder.Record(&tick)
//
// Modes (mode.go) see a narrow modeContext — time, sample, robot info,
// resolved config — not the Loop; standup runs locomotion.Standup and stand
// locomotion.Stand. Loop.transition (transition.go) is the one place the
// mode changes: it is offered a reset and a mode request after the commands
// stage, the standup's end before the mode runs, and the safety check's
// trips after it. The safety layer is safety.check (safety.go), a function
// of the safety limits, the robot's description, the tick's input (sample,
// estimate, e-stop request, read/write/controller errors, overrun streak),
// the command and its own state; it has its own tests.
//
// A Clock paces it: LockStep advances a simulation (a Stepper: hal/simhal's
// Robot) by one period per tick, as fast as possible; WallClock sleeps to
// absolute CLOCK_MONOTONIC deadlines with clock_nanosleep and a final spin,
// on a locked OS thread with low timer slack and the garbage collector tuned
// (see WallClock). Health records per-tick lateness and compute time,
// overruns and missed deadlines; the overrun policy (skip, catch up, fault)
// is loop.overrun.
//
// The tick allocates nothing: every buffer is made by New, event texts are
// built in fixed arrays, the Mux is a mutex-guarded value. Tests check it with
// testing.AllocsPerRun, with and without the simulator.
//
// # Interfaces
//
// Inputs: a hal.Robot, a Clock, an Estimator (estimator.IMUOnly until the
// estimator package provides a filter: orientation only, position and
// velocity unknown), a Controller for locomotion mode (until the gait
// controller exists, a placeholder that holds the stand posture and says so
// in the log), a Config (Defaults, or Load of a YAML file, validated with
// errors naming the key, line and allowed range). Outputs: commands to the
// robot, telemetry.Tick and telemetry.Event records to a Recorder (the
// telemetry writer).
//
// The plug-in seams are small interfaces over types that live with their
// makers: Estimator writes an estimator.Estimate; Controller reads a
// locomotion.Input (sensors, estimate, locomotion.Command, home pose) and
// has a lifecycle (Start, Step, Stop, Err: a failure trips
// FaultController). A controller that implements SchedulePublisher hands its
// estimator.ContactSchedule to an estimator that implements
// ScheduleReceiver, one tick later. A controller or estimator that
// implements ChannelDeclarer records values of its own in telemetry
// (declared once at New; Loop.Declared lists them for the log header). No
// adapters: estimator and locomotion implement these directly.
// RecordEstimate is the one conversion of the estimate to telemetry. When
// the clock fails (a simulation that stopped), Run logs a stop event with
// the error before returning it.
//
// # Imports
//
// runtime imports hal, hal/fileio (bounded reads), estimator, locomotion,
// sim/spatial and runtime/telemetry. It must not import sim or hal/simhal:
// only tools/ chooses a backend and hands the simulated robot in (as the
// hal.Robot, the Stepper and a TruthSource).
// Tests of the loop against the simulator live in the external test package
// runtime_test.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: estimator, hal, hal/fileio, internal/yamlnode, locomotion/..., runtime/telemetry,
// sim/rbd, sim/spatial.
// Must not import: sim, sim/mjcf, sim/urdf, sim/models, sim/scene, sim/viewer,
// hal/simhal, tools/....
package runtime
