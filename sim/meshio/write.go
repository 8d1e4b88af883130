package meshio

import (
	"encoding/binary"
	"math"
)

// EncodeSTL returns triangles as a binary STL file: an 80-byte header holding
// (the start of) header, the triangle count, then per triangle a zero normal
// (readers recompute it), the three vertices and a zero attribute word.
func EncodeSTL(header string, tris [][9]float32) []byte {
	b := make([]byte, 84+50*len(tris))
	copy(b[:80], header)
	binary.LittleEndian.PutUint32(b[80:], uint32(len(tris)))
	for i, t := range tris {
		o := 84 + 50*i + 12 // after the normal
		for k, x := range t {
			binary.LittleEndian.PutUint32(b[o+4*k:], math.Float32bits(x))
		}
	}
	return b
}
