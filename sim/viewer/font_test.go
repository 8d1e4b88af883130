package viewer

import "testing"

func TestFontAtlas(t *testing.T) {
	a := newFontAtlas()
	ink := func(r rune) int {
		x, y := a.origin(r)
		n := 0
		for j := 0; j < a.cellH; j++ {
			for i := 0; i < a.cellW; i++ {
				if a.img.AlphaAt(x+i, y+j).A > 128 {
					n++
				}
			}
		}
		return n
	}
	if n := ink(' '); n != 0 {
		t.Errorf("space has %d inked pixels", n)
	}
	for _, r := range "AZaz09|#" {
		if n := ink(r); n < 5 {
			t.Errorf("%q has only %d inked pixels", r, n)
		}
	}
	if n := ink(solidGlyph); n != a.cellW*a.cellH {
		t.Errorf("the solid cell has %d of %d pixels inked", n, a.cellW*a.cellH)
	}
	if ink('é') != ink('?') {
		t.Error("a rune outside the atlas is not drawn as '?'")
	}
	u0, v0, u1, v1 := a.uv('~')
	if !(0 <= u0 && u0 < u1 && u1 <= 1 && 0 <= v0 && v0 < v1 && v1 <= 1) {
		t.Errorf("uv of '~' = %v %v %v %v, outside the texture", u0, v0, u1, v1)
	}

	b := textBatch{atlas: a, scale: 2}
	approx(t, "width", b.width("abc"), 3*7*2, 0)
	approx(t, "line height", b.lineHeight(), 26, 0)
	b.text(0, 0, "a b", textWhite)
	if got := len(b.verts) / 8; got != 12 {
		t.Errorf("%d vertices for two glyphs (spaces draw nothing), want 12", got)
	}
	b.rect(0, 0, 10, 10, panel)
	if got := len(b.verts) / 8; got != 18 {
		t.Errorf("%d vertices after a panel, want 18", got)
	}
	b.reset()
	if len(b.verts) != 0 {
		t.Error("reset left vertices")
	}
}
