package sim

import (
	"math"
	"strings"
	"testing"

	"github.com/stride-robotics/stride/sim/spatial"
)

// A flat 2 kg box (its own friction 1) on ground of friction 1, pushed
// sideways by half its weight for 0.2 s: over a friction patch of 0.1 — the
// patch overrides both the ground's and the geom's coefficient — it
// accelerates at F/m − 0.1 g = 0.4 g (within 3 %); off the patch it sticks.
func TestFrictionPatch(t *testing.T) {
	const g = 9.81
	accel := func(x0 float64) float64 {
		m := freeBox(t, 2, spatial.Vec3{0.2, 0.2, 0.02}, 1)
		terr := FlatGround(1)
		terr.Patches = []FrictionPatch{{MinX: 0, MaxX: 10, MinY: -1, MaxY: 1, Friction: 0.1}}
		w := newWorld(t, m, terr, DefaultOptions())
		w.Qpos[0], w.Qpos[2] = x0, 0.02
		stepN(t, w, 200) // settle on the ground
		x, v := w.Qpos[0], w.Qvel[0]
		w.XfrcApplied[1].Lin = spatial.Vec3{0.5 * 2 * g, 0, 0}
		n := int(math.Round(0.2 / w.Opt.Timestep))
		stepN(t, w, n)
		T := float64(n) * w.Opt.Timestep
		return 2 * (w.Qpos[0] - x - v*T) / (T * T)
	}
	if a := accel(1); math.Abs(a-0.4*g) > 0.03*0.4*g {
		t.Errorf("on the patch: acceleration %.3f m/s², want 0.4 g = %.3f ± 3 %%", a, 0.4*g)
	}
	if a := accel(-5); math.Abs(a) > 0.01 {
		t.Errorf("off the patch: acceleration %.3f m/s², want it to stick (0)", a)
	}
	bad := FlatGround(1)
	bad.Patches = []FrictionPatch{{MinX: 1, MaxX: 0, MinY: 0, MaxY: 1, Friction: 0.1}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "friction patch 0") {
		t.Errorf("an empty patch: got %v, want an error naming friction patch 0", err)
	}
	bad.Patches[0] = FrictionPatch{MinX: 0, MaxX: 1, MinY: 0, MaxY: 1, Friction: math.NaN()}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "friction NaN") {
		t.Errorf("a NaN friction: got %v, want an error naming it", err)
	}
}
