package canbus

import "sort"

// Preset is a drive model's MIT-mode packing ranges as its firmware ships
// them, the protocol (reply layout) it speaks and the temperature above
// which Stride calls it too hot. Many drives let the ranges be changed
// with the vendor's tool: a robot file overrides any of them per joint
// (p_max, v_max, t_max, kp_max, kd_max, max_temp) — the values must match
// what the drive is set to, or every value is scaled wrong.
type Preset struct {
	Protocol string
	Ranges   Ranges
	MaxTemp  float64 // °C
	Note     string
}

// Presets are the drives a robot file may name. Values from the vendors'
// MIT-mode documentation for the default firmware settings; check them
// against your drive's settings before the first run.
var Presets = map[string]Preset{
	"cubemars-ak60-6":   {Protocol: "mit-cubemars", Ranges: Ranges{PMax: 12.5, VMax: 45, TMax: 15, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"cubemars-ak70-10":  {Protocol: "mit-cubemars", Ranges: Ranges{PMax: 12.5, VMax: 50, TMax: 25, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"cubemars-ak80-9":   {Protocol: "mit-cubemars", Ranges: Ranges{PMax: 12.5, VMax: 50, TMax: 18, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"cubemars-ak10-9":   {Protocol: "mit-cubemars", Ranges: Ranges{PMax: 12.5, VMax: 50, TMax: 65, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"damiao-dm-j4310":   {Protocol: "mit-damiao", Ranges: Ranges{PMax: 12.5, VMax: 30, TMax: 10, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"damiao-dm-j8009":   {Protocol: "mit-damiao", Ranges: Ranges{PMax: 12.5, VMax: 45, TMax: 54, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"damiao-dm-j10010l": {Protocol: "mit-damiao", Ranges: Ranges{PMax: 12.5, VMax: 25, TMax: 200, KpMax: 500, KdMax: 5}, MaxTemp: 80},
	"mini-cheetah": {Protocol: "mit-minicheetah", Ranges: Ranges{PMax: 12.5, VMax: 65, TMax: 18, KpMax: 500, KdMax: 5}, MaxTemp: 0,
		Note: "reports no temperature"},
}

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	var s []string
	for k := range Presets {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
