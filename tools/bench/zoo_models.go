package bench

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing/fstest"

	"github.com/stride-robotics/stride/sim"
	"github.com/stride-robotics/stride/sim/mjcf"
	"github.com/stride-robotics/stride/sim/models"
	"github.com/stride-robotics/stride/sim/peer"
	"github.com/stride-robotics/stride/sim/rbd"
)

// ZooModel is one model of the zoo: an MJCF text both simulators load (or a
// file for Stride and its MuJoCo 2.2.2 copy for the peer), the timestep both
// run it at and the PD gains that hold its first keyframe.
type ZooModel struct {
	Name, About string
	MJCF        []byte  // the model, for both; nil when File is set
	File        string  // Stride's file (the vendor model)
	PeerFile    string  // MuJoCo's copy of File
	Dt          float64 // s
	Kp, Kd      float64
}

// stride loads the zoo model for Stride.
func (z *ZooModel) stride() (*rbd.Model, error) {
	if z.MJCF == nil {
		return models.Load(z.File)
	}
	return loadMJCF(z.MJCF)
}

// loadMJCF parses an MJCF text and applies Stride's limits as models.Load
// does for a file.
func loadMJCF(b []byte) (*rbd.Model, error) {
	m, err := mjcf.Load(fstest.MapFS{"zoo.xml": {Data: b}}, "zoo.xml")
	if err != nil {
		return nil, err
	}
	return m, models.ApplyLimits(m)
}

// Zoo returns the model zoo of `stride bench sim --zoo`: the built-in robot;
// the vendor PM01 when ../shared holds it; a humanoid with the structure of
// MuJoCo's humanoid.xml (ours, written for this benchmark); and variants
// that stress the constraint solver — no armature, damping or friction loss;
// stiff PD; kneeling on knees and toes; fallen on its back; and a
// third-party-like 12-joint, 31 kg leg robot with 73 g links between knee
// and foot, no armature and no damping.
func Zoo() ([]ZooModel, error) {
	base := models.BuiltinMJCF()
	bare := stripPassive(base)
	kneel, err := withKeyframe(base, map[string]float64{
		"left_hip_pitch": -0.4, "right_hip_pitch": -0.4, "left_knee_pitch": 1.9, "right_knee_pitch": 1.9,
		"left_ankle_pitch": -0.8, "right_ankle_pitch": -0.8,
	}, [4]float64{1, 0, 0, 0})
	if err != nil {
		return nil, fmt.Errorf("zoo: kneeling variant: %w", err)
	}
	s := math.Sqrt(0.5)
	fallen, err := withKeyframe(base, map[string]float64{
		"left_shoulder_roll": 0.3, "right_shoulder_roll": -0.3,
	}, [4]float64{s, 0, -s, 0}) // lying on its back
	if err != nil {
		return nil, fmt.Errorf("zoo: fallen variant: %w", err)
	}
	third, err := withKeyframe(thirdPartyMJCF(), nil, [4]float64{1, 0, 0, 0})
	if err != nil {
		return nil, fmt.Errorf("zoo: third-party humanoid: %w", err)
	}
	z := []ZooModel{
		{Name: "builtin", About: "built-in robot, PD stand at its own 1 ms", MJCF: base, Dt: 0.001, Kp: 300, Kd: 8},
		{Name: "builtin-2ms", About: "built-in robot, PD stand at 2 ms", MJCF: base, Dt: 0.002, Kp: 300, Kd: 8},
		{Name: "bare", About: "built-in robot without armature, damping or friction loss, 2 ms", MJCF: bare, Dt: 0.002, Kp: 300, Kd: 8},
		{Name: "stiff", About: "built-in robot, stiff PD (kp 3000, kd 30), 1 ms", MJCF: base, Dt: 0.001, Kp: 3000, Kd: 30},
		{Name: "kneel", About: "built-in robot kneeling on knees and toes, 2 ms", MJCF: kneel, Dt: 0.002, Kp: 300, Kd: 8},
		{Name: "fallen", About: "built-in robot lying on its back, PD holding the pose, 2 ms", MJCF: fallen, Dt: 0.002, Kp: 300, Kd: 8},
		{Name: "thirdparty", About: "12 leg joints, 31 kg, 73 g ankle links, no armature or damping, box feet, PD kp 300 kd 2, 2 ms", MJCF: third, Dt: 0.002, Kp: 300, Kd: 2},
		// kd 8 on 73 g links is beyond what Stride's contact law holds still
		// (its feet chatter from kd 4; MuJoCo's from kd 32): kept to show it.
		{Name: "thirdparty8", About: "the same with kd 8: Stride's feet chatter and it falls, MuJoCo's stand", MJCF: third, Dt: 0.002, Kp: 300, Kd: 8},
		{Name: "mjhumanoid", About: "a humanoid with the structure of MuJoCo's humanoid.xml, its 5 ms, falling under PD", MJCF: []byte(mjHumanoidMJCF), Dt: 0.005, Kp: 100, Kd: 2},
	}
	if f, err := peer.SharedFile("models/pm01/resource/pm_v2.xml"); err == nil {
		if pf, err := peer.SharedFile("peer/pm01-mujoco222/resource/pm_v2.xml"); err == nil {
			z = append(z, ZooModel{Name: "pm01", About: "vendor PM01 (../shared), PD stand, 2 ms", File: f, PeerFile: pf, Dt: 0.002, Kp: 300, Kd: 8})
		}
	}
	return z, nil
}

var passiveAttr = regexp.MustCompile(` (armature|damping|frictionloss)="[^"]*"`)

// stripPassive removes every joint's armature, damping and friction loss.
func stripPassive(b []byte) []byte { return passiveAttr.ReplaceAll(b, nil) }

var keyframeElem = regexp.MustCompile(`(?s)<keyframe>.*</keyframe>`)

// withKeyframe replaces the model's keyframes with one: the named joints at
// the given angles (others at 0), the free root turned by quat (w x y z) and
// lowered until its lowest collision geom is 1 mm above the ground.
func withKeyframe(b []byte, joints map[string]float64, quat [4]float64) ([]byte, error) {
	b = keyframeElem.ReplaceAll(b, nil)
	m, err := loadMJCF(b)
	if err != nil {
		return nil, err
	}
	w, err := sim.NewWorld(m, nil, sim.DefaultOptions())
	if err != nil {
		return nil, err
	}
	copy(w.Qpos, m.Qpos0)
	copy(w.Qpos[3:7], quat[:])
	for name, q := range joints {
		found := false
		for i := range m.Joints {
			if m.Joints[i].Name == name {
				w.Qpos[m.Joints[i].QAdr], found = q, true
			}
		}
		if !found {
			return nil, fmt.Errorf("no joint %q", name)
		}
	}
	if !w.PlaceOnGround(0.001) {
		return nil, fmt.Errorf("model %q has no free root or no collision geom", m.Name)
	}
	var sb strings.Builder
	sb.WriteString("<keyframe>\n    <key name=\"zoo\" qpos=\"")
	for i, q := range w.Qpos {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%.9g", q)
	}
	sb.WriteString("\"/>\n  </keyframe>\n</mujoco>")
	out := strings.Replace(string(b), "</mujoco>", sb.String(), 1)
	return []byte(out), nil
}

// thirdPartyMJCF is a leg robot of the kind users bring: a 31 kg humanoid
// lower body with 12 joints, light 73 g ankle-pitch links between the knee
// and the foot, box feet, no armature and no joint damping.
func thirdPartyMJCF() []byte {
	leg := func(side string, y float64) string {
		s := 1.0
		if y < 0 {
			s = -1
		}
		return fmt.Sprintf(`
    <body name="%[1]s_hip_pitch_link" pos="0 %[2]g -0.05">
      <inertial pos="0 0 0" mass="1.4" diaginertia="0.002 0.002 0.002"/>
      <joint name="%[1]s_hip_pitch" axis="0 1 0" range="-2.0 1.0"/>
      <body name="%[1]s_hip_roll_link" pos="0 0 -0.04">
        <inertial pos="0 0 -0.02" mass="1.3" diaginertia="0.0018 0.0018 0.0015"/>
        <joint name="%[1]s_hip_roll" axis="1 0 0" range="%[3]g %[4]g"/>
        <body name="%[1]s_thigh" pos="0 0 -0.05">
          <inertial pos="0 0 -0.14" mass="3.1" diaginertia="0.025 0.025 0.004"/>
          <joint name="%[1]s_hip_yaw" axis="0 0 1" range="-0.8 0.8"/>
          <geom type="capsule" size="0.045 0.1" pos="0 0 -0.14"/>
          <body name="%[1]s_shank" pos="0 0 -0.3">
            <inertial pos="0 0 -0.13" mass="1.6" diaginertia="0.012 0.012 0.0015"/>
            <joint name="%[1]s_knee" axis="0 1 0" range="-0.05 2.3"/>
            <geom type="capsule" size="0.035 0.1" pos="0 0 -0.14"/>
            <body name="%[1]s_ankle_pitch_link" pos="0 0 -0.3">
              <inertial pos="0 0 0" mass="0.073" diaginertia="1.5e-5 1.2e-5 1.5e-5"/>
              <joint name="%[1]s_ankle_pitch" axis="0 1 0" range="-0.9 0.6"/>
              <body name="%[1]s_foot" pos="0 0 -0.015">
                <inertial pos="0.025 0 -0.025" mass="0.55" diaginertia="0.0004 0.0018 0.002"/>
                <joint name="%[1]s_ankle_roll" axis="1 0 0" range="-0.3 0.3"/>
                <geom name="%[1]s_foot" type="box" size="0.1 0.045 0.012" pos="0.025 0 -0.03"/>
              </body>
            </body>
          </body>
        </body>
      </body>
    </body>`, side, y, min(-0.4*s, 0.1*s), max(-0.4*s, 0.1*s)+0.3)
	}
	var act strings.Builder
	for _, side := range []string{"left", "right"} {
		for _, j := range []string{"hip_pitch", "hip_roll", "hip_yaw", "knee", "ankle_pitch", "ankle_roll"} {
			lim := 40.0
			if j == "hip_pitch" || j == "knee" || j == "hip_roll" {
				lim = 90
			}
			fmt.Fprintf(&act, "\n    <motor name=\"%s_%s\" joint=\"%s_%s\" gear=\"1\" ctrlrange=\"-%g %g\"/>", side, j, side, j, lim, lim)
		}
	}
	return []byte(`<mujoco model="thirdparty12">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="0.002"/>
  <default>
    <joint limited="true"/>
    <geom contype="2" conaffinity="0" condim="3" friction="1 0.02 0.001"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.1" contype="1" conaffinity="3"/>
    <body name="base" pos="0 0 0.8">
      <freejoint name="root"/>
      <inertial pos="0 0 0.12" mass="14.06" diaginertia="0.35 0.3 0.12"/>
      <geom type="box" size="0.1 0.13 0.2" pos="0 0 0.15"/>` + leg("left", 0.1) + leg("right", -0.1) + `
    </body>
  </worldbody>
  <actuator>` + act.String() + `
  </actuator>
</mujoco>
`)
}

// mjHumanoidMJCF is a humanoid with the structure of MuJoCo's humanoid.xml
// (27 dofs: torso, abdomen z/y/x, per leg hip x/z/y, knee, ankle y/x, per arm
// shoulder 1/2 and elbow; capsule limbs, sphere head and hands, capsule
// feet; 5 ms), written for this benchmark with our own dimensions. Its feet
// touch the ground at qpos0.
const mjHumanoidMJCF = `<mujoco model="mjhumanoid">
  <compiler angle="degree" autolimits="true"/>
  <option timestep="0.005"/>
  <default>
    <motor ctrlrange="-1 1" ctrllimited="true"/>
    <joint type="hinge" damping="0.2" armature="0.01" limited="true"/>
    <geom type="capsule" condim="3" friction="0.7 0.005 0.0001" contype="1" conaffinity="0"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="0 0 0.05" contype="1" conaffinity="1"/>
    <body name="torso" pos="0 0 1.282">
      <freejoint name="root"/>
      <geom name="torso" fromto="0 -.07 0 0 .07 0" size=".07"/>
      <geom name="upper_waist" fromto="-.01 -.06 -.12 -.01 .06 -.12" size=".06"/>
      <geom name="head" type="sphere" size=".09" pos="0 0 .19"/>
      <body name="lower_waist" pos="-.01 0 -.26">
        <geom name="lower_waist" fromto="0 -.06 0 0 .06 0" size=".06"/>
        <joint name="abdomen_z" pos="0 0 .065" axis="0 0 1" range="-45 45" damping="5" armature=".02"/>
        <joint name="abdomen_y" pos="0 0 .065" axis="0 1 0" range="-75 30" damping="5" armature=".02"/>
        <body name="pelvis" pos="0 0 -.165">
          <joint name="abdomen_x" pos="0 0 .1" axis="1 0 0" range="-35 35" damping="5" armature=".02"/>
          <geom name="butt" fromto="-.02 -.07 0 -.02 .07 0" size=".09"/>
          <body name="thigh_right" pos="0 -.1 -.04">
            <joint name="hip_x_right" axis="1 0 0" range="-25 5" damping="5"/>
            <joint name="hip_z_right" axis="0 0 1" range="-60 35" damping="5"/>
            <joint name="hip_y_right" axis="0 1 0" range="-110 20" damping="5"/>
            <geom name="thigh_right" fromto="0 0 0 0 .01 -.34" size=".06"/>
            <body name="shin_right" pos="0 .01 -.4">
              <joint name="knee_right" pos="0 0 .02" axis="0 -1 0" range="-160 2" damping="1"/>
              <geom name="shin_right" fromto="0 0 0 0 0 -.3" size=".049"/>
              <body name="foot_right" pos="0 0 -.39">
                <joint name="ankle_y_right" pos="0 0 .08" axis="0 1 0" range="-50 50" damping="1"/>
                <joint name="ankle_x_right" pos="0 0 .04" axis="1 0 .5" range="-50 50" damping="1"/>
                <geom name="foot1_right" fromto="-.07 -.01 0 .14 -.03 0" size=".027"/>
                <geom name="foot2_right" fromto="-.07 .01 0 .14 .03 0" size=".027"/>
              </body>
            </body>
          </body>
          <body name="thigh_left" pos="0 .1 -.04">
            <joint name="hip_x_left" axis="-1 0 0" range="-25 5" damping="5"/>
            <joint name="hip_z_left" axis="0 0 -1" range="-60 35" damping="5"/>
            <joint name="hip_y_left" axis="0 1 0" range="-110 20" damping="5"/>
            <geom name="thigh_left" fromto="0 0 0 0 -.01 -.34" size=".06"/>
            <body name="shin_left" pos="0 -.01 -.4">
              <joint name="knee_left" pos="0 0 .02" axis="0 -1 0" range="-160 2" damping="1"/>
              <geom name="shin_left" fromto="0 0 0 0 0 -.3" size=".049"/>
              <body name="foot_left" pos="0 0 -.39">
                <joint name="ankle_y_left" pos="0 0 .08" axis="0 1 0" range="-50 50" damping="1"/>
                <joint name="ankle_x_left" pos="0 0 .04" axis="1 0 .5" range="-50 50" damping="1"/>
                <geom name="foot1_left" fromto="-.07 .01 0 .14 .03 0" size=".027"/>
                <geom name="foot2_left" fromto="-.07 -.01 0 .14 -.03 0" size=".027"/>
              </body>
            </body>
          </body>
        </body>
      </body>
      <body name="upper_arm_right" pos="0 -.17 .06">
        <joint name="shoulder1_right" axis="2 1 1" range="-85 60"/>
        <joint name="shoulder2_right" axis="0 -1 1" range="-85 60"/>
        <geom name="upper_arm_right" fromto="0 0 0 .16 -.16 -.16" size=".04"/>
        <body name="lower_arm_right" pos=".18 -.18 -.18">
          <joint name="elbow_right" axis="0 -1 1" range="-90 50" damping="1"/>
          <geom name="lower_arm_right" fromto=".01 .01 .01 .17 .17 .17" size=".031"/>
          <geom name="hand_right" type="sphere" size=".04" pos=".18 .18 .18"/>
        </body>
      </body>
      <body name="upper_arm_left" pos="0 .17 .06">
        <joint name="shoulder1_left" axis="-2 1 -1" range="-60 85"/>
        <joint name="shoulder2_left" axis="0 -1 -1" range="-60 85"/>
        <geom name="upper_arm_left" fromto="0 0 0 .16 .16 -.16" size=".04"/>
        <body name="lower_arm_left" pos=".18 .18 -.18">
          <joint name="elbow_left" axis="0 -1 -1" range="-90 50" damping="1"/>
          <geom name="lower_arm_left" fromto=".01 -.01 .01 .17 -.17 .17" size=".031"/>
          <geom name="hand_left" type="sphere" size=".04" pos=".18 -.18 .18"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="abdomen_y" gear="40" joint="abdomen_y"/>
    <motor name="abdomen_z" gear="40" joint="abdomen_z"/>
    <motor name="abdomen_x" gear="40" joint="abdomen_x"/>
    <motor name="hip_x_right" gear="40" joint="hip_x_right"/>
    <motor name="hip_z_right" gear="40" joint="hip_z_right"/>
    <motor name="hip_y_right" gear="120" joint="hip_y_right"/>
    <motor name="knee_right" gear="80" joint="knee_right"/>
    <motor name="ankle_y_right" gear="20" joint="ankle_y_right"/>
    <motor name="ankle_x_right" gear="20" joint="ankle_x_right"/>
    <motor name="hip_x_left" gear="40" joint="hip_x_left"/>
    <motor name="hip_z_left" gear="40" joint="hip_z_left"/>
    <motor name="hip_y_left" gear="120" joint="hip_y_left"/>
    <motor name="knee_left" gear="80" joint="knee_left"/>
    <motor name="ankle_y_left" gear="20" joint="ankle_y_left"/>
    <motor name="ankle_x_left" gear="20" joint="ankle_x_left"/>
    <motor name="shoulder1_right" gear="20" joint="shoulder1_right"/>
    <motor name="shoulder2_right" gear="20" joint="shoulder2_right"/>
    <motor name="elbow_right" gear="40" joint="elbow_right"/>
    <motor name="shoulder1_left" gear="20" joint="shoulder1_left"/>
    <motor name="shoulder2_left" gear="20" joint="shoulder2_left"/>
    <motor name="elbow_left" gear="40" joint="elbow_left"/>
  </actuator>
</mujoco>
`
