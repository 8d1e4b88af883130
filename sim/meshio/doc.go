// Package meshio reads triangle-mesh files for the model loaders (sim/mjcf
// and sim/urdf): STL, binary and ASCII, and Wavefront OBJ.
//
// Each reader takes the whole file as bytes and returns the vertices as
// x, y, z triples of float32 and the triangles as triples of vertex indices:
//
//	verts, faces, err := meshio.Read("meshes/link.STL", data) // by extension
//	verts, faces, err := meshio.ReadSTL(data)
//	verts, faces, err := meshio.ReadOBJ(data)
//
// Coordinates are returned as the file gives them: finding the file,
// scaling, mirroring and reporting problems as warnings or errors are the
// loaders' business. A non-finite vertex coordinate is an error.
//
// STL: a binary file is recognised by its size, 84 + 50·n bytes for the n
// triangles its header declares, whatever its 80-byte header says (SolidWorks
// starts binary headers with "solid"); bytes after the declared triangles are
// ignored. Otherwise a file that starts with "solid" and holds no NUL byte is
// ASCII STL, read strictly (facet normal, outer loop, three vertex lines,
// endloop, endfacet), several solids allowed. Facet normals are ignored (in
// either form they may be anything, even NaN). Repeated vertices are merged,
// and triangles that collapse onto fewer than three distinct vertices are
// dropped.
//
// OBJ: v and f records are read (faces with more than three vertices become
// triangle fans; indices may be negative, counting back from the last vertex,
// and may carry texture and normal indices, which are ignored); every other
// record, and anything after a #, is skipped. Vertices are not merged.
//
// The package imports nothing from the module, only the standard library.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: none.
package meshio
