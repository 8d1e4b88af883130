package locomotion_test

import (
	"flag"
	"github.com/stride-robotics/stride/estimator"
	"github.com/stride-robotics/stride/sim"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stride-robotics/stride/locomotion"
)

var (
	runSpeed   = flag.Float64("run.speed", 2, "m/s TestRunDev runs at")
	runSeconds = flag.Float64("run.seconds", 6, "s TestRunDev runs")
	runGait    = flag.String("run.gait", "run", "gait TestRunDev commands")
	runDev     = flag.Bool("run.dev", false, "run TestRunDev (development log)")
	runLog     = flag.Int("run.log", 100, "ticks between TestRunDev log lines")
	runPeriod  = flag.Float64("run.period", 0, "stride period at speed (0: default)")
	runDuty    = flag.Float64("run.duty", 0, "running duty clamp (0: default)")
	runK       = flag.Float64("run.k", -1, "Raibert gain (<0: default)")
	runPush    = flag.Float64("run.push", -1, "push gain (<0: default)")
	runMPC     = flag.Int("run.mpc", -1, "MPC mode (<0: default)")
	runVerbose = flag.Bool("run.v", false, "log the walker and torques")
	runApex    = flag.Float64("run.apex", 0, "swing apex (0: default)")
	runLate    = flag.Float64("run.late", 0, "late-touchdown speed (0: default)")
	runBase    = flag.Float64("run.base", 0, "WBC base weight (0: default)")
	runBaseKp  = flag.Float64("run.basekp", 0, "WBC base kp (0: default)")
	runForceW  = flag.Float64("run.forcew", 0, "WBC force weight (0: default)")
	runTD      = flag.Bool("run.td", false, "log the feet at each planned touchdown")
	runSwingW  = flag.Float64("run.swingw", 0, "WBC swing weight (0: default)")
	runEst     = flag.Bool("run.est", false, "InEKF and realistic sensor noise instead of the truth")
	runLand    = flag.Float64("run.land", -1, "landing speed (<0: default)")
	runStop    = flag.Float64("run.stop", 0, "s after which TestRunDev commands a stop (0: none)")
	runLatK    = flag.Float64("run.latk", -1, "lateral gain (<0: default)")
	switchFast = flag.Float64("switch.fast", 1.2, "TestWalkRunSwitch's fast speed")
	runAccel   = flag.Float64("run.accel", 0, "acceleration limit (0: default)")
)

// TestRunDev is the development harness: -args -run.dev -run.speed=2.
func TestRunDev(t *testing.T) {
	if !*runDev {
		t.Skip("development harness: -args -run.dev")
	}
	cfg := locomotion.DefaultWalkerConfig()
	if *runPeriod > 0 {
		cfg.Timing.PeriodMin = *runPeriod
	}
	if *runDuty > 0 {
		cfg.Run.RunDutyMax = *runDuty
	}
	if *runK >= 0 {
		cfg.Run.RaibertGain = *runK
	}
	if *runPush >= 0 {
		cfg.Run.PushGain = *runPush
	}
	if *runMPC >= 0 {
		cfg.MPC = locomotion.MPCMode(*runMPC)
	}
	if *runApex > 0 {
		cfg.Swing.Apex = *runApex
	}
	if *runLate > 0 {
		cfg.Swing.LateSpeed = *runLate
	}
	if *runLand >= 0 {
		cfg.Run.LandSpeed = *runLand
	}
	if *runLatK >= 0 {
		cfg.Run.LateralGain = *runLatK
	}
	if *runAccel > 0 {
		cfg.AccelLimit = *runAccel
	}
	r := newWalkRigCfg(t, cfg)
	if *runBase > 0 {
		r.walker.WBC().Weights.Base = *runBase
	}
	if *runBaseKp > 0 {
		r.walker.WBC().Weights.BaseKp = *runBaseKp
		r.walker.WBC().Weights.BaseKd = 2 * math.Sqrt(*runBaseKp)
	}
	if *runSwingW > 0 {
		r.walker.WBC().Weights.Swing = *runSwingW
	}
	if *runForceW > 0 {
		r.walker.WBC().Weights.Force = *runForceW
	}
	if *runEst {
		useInEKF(t, r, 1)
	}
	r.run(t, 300)
	g, err := locomotion.ParseGait(*runGait)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Gait, r.cmd.Vx = g, *runSpeed
	n := int(*runSeconds * 1000)
	var air, strides int
	var prevSt, prevC [2]bool
	for i := 0; i < n; i += *runLog {
		ok := true
		if *runStop > 0 && r.w.Time >= *runStop {
			r.cmd.Gait, r.cmd.Vx = locomotion.GaitStand, 0
		}
		for j := 0; j < *runLog && ok; j++ {
			ok = r.run(t, 1)
			st := r.walker.Scheduler().Stance()
			for k := 0; k < 2; k++ {
				if *runTD && st[k] && !prevSt[k] {
					p, v, _ := r.walker.WBC().Sole(k)
					tg := r.walker.Steps()[k].Pos
					c := r.robot.Truth().COM
					o := 6 * k
					t.Logf("   leg q %.2f qd %.1f tau %.0f", r.sens.Q[o:o+6], r.sens.Qd[o:o+6], []float64{r.out.Joint[o].Tau, r.out.Joint[o+1].Tau, r.out.Joint[o+2].Tau, r.out.Joint[o+3].Tau, r.out.Joint[o+4].Tau, r.out.Joint[o+5].Tau})
					t.Logf("TD plan %d t %.3f: foot z %.3f vz %.2f, x-err %.3f (target %.3f ahead of COM), contact %v", k, r.w.Time, p[2], v[2], p[0]-tg[0], tg[0]-c[0], r.robot.Truth().Feet[k].InContact)
				}
			}
			prevSt = st
			if *runTD {
				tr := r.robot.Truth()
				c := [2]bool{tr.Feet[0].InContact, tr.Feet[1].InContact}
				if c != prevC {
					t.Logf("contact %v → %v at %.3f phase %.3f", prevC, c, r.w.Time, r.walker.Scheduler().Phase())
				}
				prevC = c
			}
		}
		tr := r.robot.Truth()
		if !tr.Feet[0].InContact && !tr.Feet[1].InContact {
			air++
		}
		strides++
		gt, ph := r.walker.Gait()
		q := tr.BaseQuat
		pitch := math.Asin(2 * (q.W*q.Y - q.Z*q.X))
		roll := math.Atan2(2*(q.W*q.X+q.Y*q.Z), 1-2*(q.X*q.X+q.Y*q.Y))
		t.Logf("t %.3f pitch %.2f roll %.2f vy %.2f x %.2f vx %.2f z %.3f c %v%v gait %v ph %.2f duty %.2f flights %d fails %d", r.w.Time, pitch, roll, tr.BaseLinVel[1], tr.COM[0], tr.BaseLinVel[0], tr.COM[2],
			b2i(tr.Feet[0].InContact), b2i(tr.Feet[1].InContact), gt, ph, r.walker.Scheduler().Duty(), r.walker.Flights(), r.walker.Failures())
		if i+*runLog >= n || !ok {
			so, fa, us := r.walker.MPCStats()
			t.Logf("MPC solves %d failed %d used %d ticks", so, fa, us)
		}
		if *runVerbose {
			for k := 0; k < 2; k++ {
				p, _, _ := r.walker.WBC().Sole(k)
				st := r.walker.Steps()[k].Pos
				t.Logf("   foot %d at (%.3f %.3f %.3f) target (%.3f %.3f %.3f)", k, p[0]-tr.COM[0], p[1]-tr.COM[1], p[2], st[0]-tr.COM[0], st[1]-tr.COM[1], st[2])
			}
			t.Logf("   %v tau %.0f", r.walker, r.out.Joint[:12])
		}
		if !ok {
			t.Fatalf("fell at %.2f", r.w.Time)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// useInEKF puts the InEKF with realistic sensor noise (seed) in the loop of
// r and restarts the walker on its estimate.
func useInEKF(t testing.TB, r *walkRig, seed uint64) {
	t.Helper()
	r.robot.Sensors = sim.NewSensors(r.w, sim.RealisticSensors(seed))
	var names []string
	for _, j := range r.robot.Info().Joints {
		names = append(names, j.Name)
	}
	ekf, err := estimator.NewInEKF(r.w.Model, names, estimator.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.robot.Read(&r.sens); err != nil {
		t.Fatal(err)
	}
	ekf.Reset(&r.sens)
	ekf.Update(&r.sens, &r.e)
	r.estim = ekf
	if err := r.walker.Start(&r.in); err != nil {
		t.Fatal(err)
	}
}

// runProbe watches a run from the simulator's truth (for evaluation only):
// strides from one true left touchdown to the next (a contact of ≥ 10 ms
// after ≥ 50 ms in the air, as tools/locoeval counts them), the flight time (both
// feet off the ground) in each, and the largest change of a joint torque
// from one tick to the next.
type runProbe struct {
	offAt     float64 // s, when the left foot last left the ground after a stance
	on        int     // ticks the left foot has been in contact
	last      [2]bool
	have      bool
	open      bool
	flight    int       // ticks of flight in the stride under way
	flights   []float64 // s, per finished stride
	tauPrev   [32]float64
	jump      float64 // N·m/tick, largest since reset
	jumpValid bool
}

func (p *runProbe) tick(r *walkRig) {
	tr := r.robot.Truth()
	c := [2]bool{tr.Feet[0].InContact, tr.Feet[1].InContact}
	if c[0] {
		p.on++
	} else {
		if p.on >= 10 {
			p.offAt = r.w.Time // lifted after a stance (not a brush)
		}
		p.on = 0
	}
	// A touchdown: a contact lasting 10 ms after at least 50 ms in the
	// air (not a bounce or a swinging foot brushing the ground).
	if p.on == 10 && r.w.Time-0.009-p.offAt >= 0.05 {
		if p.open {
			p.flights = append(p.flights, float64(p.flight)*0.001)
		}
		p.open, p.flight = true, 0
	}
	if p.open && !c[0] && !c[1] {
		p.flight++
	}
	p.last, p.have = c, true
	for i := 0; i < r.out.N; i++ {
		if p.jumpValid {
			p.jump = math.Max(p.jump, math.Abs(r.out.Joint[i].Tau-p.tauPrev[i]))
		}
		p.tauPrev[i] = r.out.Joint[i].Tau
	}
	p.jumpValid = true
}

// runFor runs n ticks feeding p; false on a fall.
func (r *walkRig) runFor(t *testing.T, p *runProbe, n int) bool {
	t.Helper()
	for i := 0; i < n; i++ {
		if !r.run(t, 1) {
			return false
		}
		p.tick(r)
	}
	return true
}

// Running at 1.5 m/s on the truth (the simulation is deterministic): from
// standing, a run command accelerates at the configured 0.5 m/s²; over the
// last 3 s of 8 the mean speed is within 0.15 m/s of the command, every
// stride has at least 50 ms of flight (both feet truly off the ground;
// about 88 ms a stride, two flights of 44 ms),
// the controller reports the run gait with a duty factor ≤ run_duty_max,
// and a stop command brings it back to standing in double support, at
// rest, within 6 s (run → walk → stand).
func TestRunnerRuns(t *testing.T) {
	const v = 1.5
	r := newWalkRig(t)
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitRun, v
	var p runProbe
	if !r.runFor(t, &p, 5000) {
		t.Fatal("fell accelerating")
	}
	p.flights = p.flights[:0]
	c0, t0 := r.robot.Truth().COM, r.w.Time
	if !r.runFor(t, &p, 3000) {
		t.Fatal("fell running")
	}
	c1 := r.robot.Truth().COM
	vx := (c1[0] - c0[0]) / (r.w.Time - t0)
	g, _ := r.walker.Gait()
	minF, sumF := math.Inf(1), 0.0
	for _, f := range p.flights {
		minF = math.Min(minF, f)
		sumF += f
	}
	t.Logf("run %.1f m/s: last 3 s mean %.3f m/s; %d strides, flight per stride mean %.3f s, min %.3f s; gait %v, duty %.2f; QP failures %d",
		v, vx, len(p.flights), sumF/float64(len(p.flights)), minF, g, r.walker.Scheduler().Duty(), r.walker.Failures())
	if math.Abs(vx-v) > 0.15 {
		t.Errorf("mean speed %.3f m/s, want %.1f ± 0.15", vx, v)
	}
	if len(p.flights) < 4 || minF < 0.05 {
		t.Errorf("%d strides, shortest flight %.3f s: want ≥ 50 ms of flight in every stride", len(p.flights), minF)
	}
	if g != locomotion.GaitRun || r.walker.Scheduler().Duty() > r.walker.Cfg.Run.RunDutyMax+1e-9 {
		t.Errorf("gait %v, duty %.3f", g, r.walker.Scheduler().Duty())
	}
	if r.walker.Failures() != 0 {
		t.Errorf("%d QP failures", r.walker.Failures())
	}
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitStand, 0
	if !r.run(t, 6000) {
		t.Fatal("fell stopping")
	}
	tr := r.robot.Truth()
	g, _ = r.walker.Gait()
	sp := math.Hypot(tr.BaseLinVel[0], tr.BaseLinVel[1])
	t.Logf("6 s after the stop: gait %v, contacts %v %v, base speed %.3f m/s", g, tr.Feet[0].InContact, tr.Feet[1].InContact, sp)
	if g != locomotion.GaitStand || !tr.Feet[0].InContact || !tr.Feet[1].InContact || sp > 0.05 {
		t.Errorf("after the stop: gait %v, contacts %v %v, speed %.3f m/s; want standing at rest", g, tr.Feet[0].InContact, tr.Feet[1].InContact, sp)
	}
}

// Walk ↔ run on command and by speed (truth): walking at 0.6 m/s, `gait:
// run` switches to running at whatever phase the command comes, `gait:
// walk` back; then a walk command to 1.2 m/s runs by itself above the
// Froude threshold (0.77 m/s) and walks again below 0.63 m/s when the
// command drops to 0.5. No fall, four switches, the duty factor never
// moves faster than duty_rate (a switch bends the schedule), and the
// largest torque change from one tick to the next in the 300 ms after a
// switch stays under 1.5 × the largest in the steady gaits around it (the
// maxima come from touchdowns and vary by tens of N·m from run to run; the
// steady gaits' own changes are far above the runtime's 2 N·m/tick
// mode-transition bound: contacts switch their forces within a tick).
func TestWalkRunSwitch(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 300)
	var p runProbe
	steady := 0.0
	phase := func(g locomotion.Gait, vx float64, ticks int, what string) (switchJump float64) {
		t.Helper()
		r.cmd.Gait, r.cmd.Vx = g, vx
		g0, _ := r.walker.Gait()
		p.jump = 0
		switched := -1
		for i := 0; i < ticks; i++ {
			d0 := r.walker.Scheduler().Duty()
			if !r.runFor(t, &p, 1) {
				t.Fatalf("%s: fell at %.3f s", what, r.w.Time)
			}
			// The duty factor moves at most duty_rate (the walking curve
			// itself follows a new command's speed at once: skip the
			// command's first tick, and the start from standing).
			if d := math.Abs(r.walker.Scheduler().Duty() - d0); i > 0 && g0 != locomotion.GaitStand && d > r.walker.Cfg.Run.DutyRate*0.001+1e-9 {
				t.Errorf("%s: duty factor jumped %.4f at %.3f s", what, d, r.w.Time)
			}
			if g1, _ := r.walker.Gait(); switched < 0 && g1 != g0 && g1 != locomotion.GaitStand && g0 != locomotion.GaitStand {
				switched = i
				steady = math.Max(steady, p.jump)
				p.jump = 0
			}
			if switched >= 0 && i == switched+300 {
				switchJump = p.jump
				p.jump = 0
			}
		}
		steady = math.Max(steady, p.jump)
		g1, ph := r.walker.Gait()
		t.Logf("%s: %v → %v (switched %v, at tick %d, phase %.2f), max torque change after the switch %.1f N·m/tick", what, g0, g1, switched >= 0, switched, ph, switchJump)
		return switchJump
	}
	phase(locomotion.GaitWalk, 0.6, 4000, "walk 0.6 m/s")
	j1 := phase(locomotion.GaitRun, 0.6, 4000, "run command")
	j2 := phase(locomotion.GaitWalk, 0.6, 4000, "walk command")
	j3 := phase(locomotion.GaitWalk, *switchFast, 4000, "walk command to the fast speed")
	j4 := phase(locomotion.GaitWalk, 0.5, 5000, "walk command to 0.5 m/s")
	n := r.walker.GaitSwitches()
	t.Logf("steady gaits' largest torque change %.1f N·m/tick; %d switches", steady, n)
	if n != 4 {
		t.Errorf("%d walk↔run switches, want 4", n)
	}
	for i, j := range []float64{j1, j2, j3, j4} {
		if j > 1.5*steady {
			t.Errorf("switch %d: torque change %.1f N·m/tick, steady gaits %.1f", i+1, j, steady)
		}
	}
}

// The walker's tick allocates nothing while running, flights and landings
// included (the closed loop: sensors, truth estimate, Step, simulator).
func TestRunnerStepAllocs(t *testing.T) {
	r := newWalkRig(t)
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitRun, 1.2
	if !r.run(t, 3000) {
		t.Fatal("fell")
	}
	f0 := r.walker.Flights()
	n := testing.AllocsPerRun(1000, func() { r.run(t, 1) })
	if n != 0 {
		t.Errorf("%.2f allocations per running tick", n)
	}
	if r.walker.Flights() == f0 {
		t.Error("no flight during the measured ticks")
	}
}

// The running telemetry channels: declared with their sizes, kept across
// Start, and written each tick — airborne with the predicted time to
// touchdown and centre of mass there, on the ground with NaN predictions.
func TestRunChannels(t *testing.T) {
	r := newWalkRig(t)
	store := map[string][]float64{}
	if err := r.walker.DeclareChannels(func(name, unit string, size int) ([]float64, error) {
		store[name] = make([]float64, size)
		return store[name], nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(store["run.flight"]) != 5 || len(store["run.gait"]) != 3 {
		t.Fatalf("channels %v", store)
	}
	if err := r.walker.Start(&r.in); err != nil {
		t.Fatal(err)
	}
	r.run(t, 300)
	r.cmd.Gait, r.cmd.Vx = locomotion.GaitRun, 1.2
	air, ground := 0, 0
	for i := 0; i < 4000; i++ {
		if !r.run(t, 1) {
			t.Fatal("fell")
		}
		f, g := store["run.flight"], store["run.gait"]
		if f[0] == 1 {
			air++
			if !(f[1] >= 0 && f[1] < 0.5) || math.Abs(f[4]-0.6) > 0.15 {
				t.Fatalf("airborne: time to touchdown %g s, centre of mass there %v", f[1], f[2:])
			}
		} else {
			ground++
			if !math.IsNaN(f[1]) {
				t.Fatalf("on the ground: prediction %v", f)
			}
		}
		if i > 3000 && (g[2] != 1 || g[0] > 0.4+1e-9 || g[1] <= 0) {
			t.Fatalf("running: gait channel %v", g)
		}
	}
	if air == 0 || ground == 0 {
		t.Errorf("%d airborne ticks, %d on the ground", air, ground)
	}
}

var (
	campaign      = flag.String("campaign", "", "TestRunCampaign: switches (20 walk→run→walk at random phases and speeds) or random (60 s random command sequences)")
	campaignSeeds = flag.Int("campaign.seeds", 1, "TestRunCampaign: seeds 1..N")
	campaignTruth = flag.Bool("campaign.truth", false, "TestRunCampaign: the truth estimate instead of the InEKF with sensor noise")
)

// TestRunCampaign runs the long seeded campaigns of docs/running.md (not in
// make test):
//
//	go test ./locomotion -run TestRunCampaign -v -timeout 2h -args -campaign=switches -campaign.seeds=5
//	go test ./locomotion -run TestRunCampaign -v -timeout 2h -args -campaign=random -campaign.seeds=30
//
// switches: 20 times walk (0.3–0.7 m/s, 2–4 s) → run (0.8–1.5 m/s,
// 2–4 s), the commands at seeded random times, so at random phases;
// random: 60 s of commands every 3–6 s drawn from walk (0–0.6 m/s, yaw
// rate ±0.5 rad/s), run (0.8–1.5 m/s, yaw rate ±0.3 rad/s) and stand.
// The InEKF with realistic sensor noise (the seed) is in the loop unless
// -campaign.truth. Each seed reports its falls; the test fails on any.
func TestRunCampaign(t *testing.T) {
	if *campaign == "" {
		t.Skip("long campaign: -args -campaign=switches|random")
	}
	falls := 0
	for seed := 1; seed <= *campaignSeeds; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		r := newWalkRig(t)
		if !*campaignTruth {
			useInEKF(t, r, uint64(seed))
		}
		r.run(t, 300)
		type step struct {
			g          locomotion.Gait
			vx, yaw, s float64
		}
		var plan []step
		switch *campaign {
		case "switches":
			for i := 0; i < 20; i++ {
				plan = append(plan, step{locomotion.GaitWalk, 0.3 + 0.4*rng.Float64(), 0, 2 + 2*rng.Float64()})
				plan = append(plan, step{locomotion.GaitRun, 0.8 + 0.7*rng.Float64(), 0, 2 + 2*rng.Float64()})
			}
			plan = append(plan, step{locomotion.GaitStand, 0, 0, 6})
		case "random":
			for tot := 0.0; tot < 60; {
				var s step
				switch rng.IntN(3) {
				case 0:
					s = step{locomotion.GaitWalk, 0.6 * rng.Float64(), 0.5 * (2*rng.Float64() - 1), 0}
				case 1:
					s = step{locomotion.GaitRun, 0.8 + 0.7*rng.Float64(), 0.3 * (2*rng.Float64() - 1), 0}
				default:
					s = step{locomotion.GaitStand, 0, 0, 0}
				}
				s.s = math.Min(3+3*rng.Float64(), 60-tot)
				tot += s.s
				plan = append(plan, s)
			}
		default:
			t.Fatalf("-campaign=%q: want switches or random", *campaign)
		}
		ok := true
		var at float64
		for i, s := range plan {
			r.cmd.Gait, r.cmd.Vx, r.cmd.YawRate = s.g, s.vx, s.yaw
			if !r.run(t, int(s.s*1000)) {
				ok, at = false, r.w.Time
				t.Logf("seed %d: fell at %.2f s in step %d of %d (%v at %.2f m/s, yaw rate %.2f)", seed, at, i+1, len(plan), s.g, s.vx, s.yaw)
				break
			}
		}
		if ok {
			t.Logf("seed %d: %d commands, %.0f s, no fall; %d walk↔run switches", seed, len(plan), r.w.Time, r.walker.GaitSwitches())
		} else {
			falls++
		}
	}
	t.Logf("%s: %d of %d seeds fell", *campaign, falls, *campaignSeeds)
	if falls > 0 {
		t.Errorf("%d of %d seeds fell", falls, *campaignSeeds)
	}
}
