package viewer

import (
	"image"
	"image/draw"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// fontAtlas is the printable ASCII range of the 7×13 fixed font (the X11
// misc-fixed glyphs that golang.org/x/image ships) rendered into one alpha
// image, 16 glyph cells a row, plus a solid cell for panels in place of DEL.
type fontAtlas struct {
	img          *image.Alpha
	cellW, cellH int
	cols         int
}

const (
	firstGlyph = 32  // space
	solidGlyph = 127 // DEL's cell holds a solid block
	atlasCols  = 16
)

func newFontAtlas() *fontAtlas {
	face := basicfont.Face7x13
	a := &fontAtlas{cellW: face.Advance, cellH: face.Height, cols: atlasCols}
	n := solidGlyph - firstGlyph + 1
	rows := (n + atlasCols - 1) / atlasCols
	a.img = image.NewAlpha(image.Rect(0, 0, atlasCols*a.cellW, rows*a.cellH))
	for r := rune(firstGlyph); r < solidGlyph; r++ {
		x, y := a.origin(r)
		dr, mask, mp, _, ok := face.Glyph(fixed.P(x, y+face.Ascent), r)
		if ok {
			draw.DrawMask(a.img, dr, image.Opaque, image.Point{}, mask, mp, draw.Over)
		}
	}
	x, y := a.origin(solidGlyph)
	draw.Draw(a.img, image.Rect(x, y, x+a.cellW, y+a.cellH), image.Opaque, image.Point{}, draw.Src)
	return a
}

// origin returns the top-left pixel of rune r's cell; runes outside the
// atlas map to '?'.
func (a *fontAtlas) origin(r rune) (int, int) {
	if r < firstGlyph || r > solidGlyph {
		r = '?'
	}
	i := int(r - firstGlyph)
	return (i % a.cols) * a.cellW, (i / a.cols) * a.cellH
}

// uv returns rune r's cell in texture coordinates (u right, v down).
func (a *fontAtlas) uv(r rune) (u0, v0, u1, v1 float32) {
	x, y := a.origin(r)
	w, h := float32(a.img.Rect.Dx()), float32(a.img.Rect.Dy())
	return float32(x) / w, float32(y) / h, float32(x+a.cellW) / w, float32(y+a.cellH) / h
}

// textBatch collects screen-space quads of glyphs and solid panels:
// vertices of x, y (pixels from the top-left corner), u, v, r, g, b, a.
type textBatch struct {
	atlas *fontAtlas
	scale float64 // pixels per font pixel
	verts []float32
}

func (t *textBatch) reset() { t.verts = t.verts[:0] }

func (t *textBatch) quad(x0, y0, x1, y1 float64, u0, v0, u1, v1 float32, c [4]float32) {
	X0, Y0, X1, Y1 := float32(x0), float32(y0), float32(x1), float32(y1)
	for _, p := range [6][4]float32{
		{X0, Y0, u0, v0}, {X1, Y0, u1, v0}, {X1, Y1, u1, v1},
		{X0, Y0, u0, v0}, {X1, Y1, u1, v1}, {X0, Y1, u0, v1},
	} {
		t.verts = append(t.verts, p[0], p[1], p[2], p[3], c[0], c[1], c[2], c[3])
	}
}

// rect adds a solid rectangle.
func (t *textBatch) rect(x0, y0, x1, y1 float64, c [4]float32) {
	u0, v0, u1, v1 := t.atlas.uv(solidGlyph)
	// sample the cell's middle so filtering never reaches a neighbour
	du, dv := (u1-u0)/4, (v1-v0)/4
	t.quad(x0, y0, x1, y1, u0+du, v0+dv, u1-du, v1-dv, c)
}

// lineHeight returns the height of a text line in pixels.
func (t *textBatch) lineHeight() float64 { return float64(t.atlas.cellH) * t.scale }

// width returns the width of s in pixels.
func (t *textBatch) width(s string) float64 {
	n := 0
	for range s {
		n++
	}
	return float64(n*t.atlas.cellW) * t.scale
}

// text adds s with its top-left corner at (x, y).
func (t *textBatch) text(x, y float64, s string, c [4]float32) {
	w, h := float64(t.atlas.cellW)*t.scale, float64(t.atlas.cellH)*t.scale
	for _, r := range s {
		if r != ' ' {
			u0, v0, u1, v1 := t.atlas.uv(r)
			t.quad(x, y, x+w, y+h, u0, v0, u1, v1, c)
		}
		x += w
	}
}
