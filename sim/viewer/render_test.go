package viewer

import "testing"

func TestExploreRender(t *testing.T) {
	w, tick := standingWorld(t, nil)
	r := NewRunner(w, tick, 0.001)
	if err := r.Advance(0.5); err != nil {
		t.Fatal(err)
	}
	o := offscreen(t, w, Options{Overlays: OverlayCOM | OverlaySupport | OverlayContacts, Help: true})
	img := render(t, o, r.Capture())
	savePNGFor(t, "explore", img)
	var info string
	onMain(func() { info = GLInfo() })
	t.Log(info, o.DrawCalls())
}
