// Package viewer draws a simulated robot with OpenGL: a window to watch and
// steer a running simulation, and off-screen rendering for screenshots,
// recordings and tests.
//
// # What it draws
//
// The robot from its geometry (boxes, spheres, capsules, cylinders,
// ellipsoids, planes, and triangle meshes when the model has them loaded;
// geoms of groups 0–2, as MuJoCo's viewer shows them, collision geoms of
// group 3 on request), the terrain exactly as sim.Terrain simulates it
// (planes, tilted or not, boxes, height fields triangulated like the contact
// model), a checker ground with a 1 m grid, a sky gradient, one directional
// light with a shadow map, and overlays toggled by keys: centre of mass and
// its ground projection, support polygon, contact points with force arrows,
// link frames, joint-limit warnings, planned footsteps and swing
// trajectories, and the capture point. A status line (HUD) shows simulated
// time, real-time factor, base speed, controller mode and the velocity
// command; H shows the key table (Help returns it).
//
// # How it runs
//
// The simulation never waits for drawing. A Runner steps the world on its
// own goroutine — one control tick (the caller's function: the runtime loop
// in tools/stride) per period, paced to real time times a slow-motion factor
// or as fast as possible — and publishes a Snapshot (poses, contacts,
// status, plan) into an Exchange, a triple buffer: the window draws the
// newest snapshot whenever it is ready, and neither side blocks the other.
// Keys reach the Runner as Actions (pause, single step, slow motion, reset,
// push) and the velocity command reaches the robot's command input through
// a Commander. Run opens the window for a Runner; Watch draws any source
// that publishes snapshots (a log replay); Offscreen renders snapshots into
// images with a hidden window and a framebuffer object.
//
// GLFW needs the main OS thread: the package's init locks the main goroutine
// to it, and Run, Watch and everything of Offscreen must be called from the
// main goroutine. Opening a window needs an X server (DISPLAY); when there is
// none, Run returns a *DisplayError and a caller can run headless. The
// subpackage xvfb starts a private X server for off-screen work.
//
// # Imports
//
// It imports sim, sim/rbd, sim/spatial, GLFW (github.com/go-gl/glfw/v3.3),
// exactly one OpenGL profile (github.com/go-gl/gl/v3.3-core; no other
// package of the module may import a gl profile, so that only this one pays
// its long compile) and golang.org/x/image's fixed font. It must not import
// hal, runtime, estimator or locomotion: the tools wire those to it through
// Runner's functions and the Commander interface.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: sim, sim/rbd, sim/spatial, sim/viewer/xvfb.
// Must not import: hal/..., estimator, locomotion/..., runtime/..., tools/....
package viewer
