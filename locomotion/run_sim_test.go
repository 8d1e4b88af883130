package locomotion_test

import (
	"flag"
	"math"
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
	r.run(t, 300)
	g, err := locomotion.ParseGait(*runGait)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Gait, r.cmd.Vx = g, *runSpeed
	n := int(*runSeconds * 1000)
	var air, strides int
	var prevSt [2]bool
	for i := 0; i < n; i += *runLog {
		ok := true
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
