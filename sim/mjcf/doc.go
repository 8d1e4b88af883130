// Package mjcf loads MuJoCo XML (MJCF) robot descriptions into an rbd.Model.
//
// LoadFile reads a file from disk and Load reads one from an fs.FS (an
// embed.FS, os.DirFS, fstest.MapFS); both assemble the document from its
// <include> files, apply the compiler settings and default classes, build the
// kinematic tree in MuJoCo's order and conventions, and call Model.Finalize.
// What Stride does not use is left out with one warning per kind of element,
// in Model.Warnings. Errors are *Error values that name the file, the line,
// the element and what is wrong:
//
//	pm_v2.xml:12: <joint name="J00">: range: want 2 numbers, got 1
//
// Every file is read through hal/fileio: it must be a regular file (a pipe
// or device is refused by name, never read), each model file is at most
// 64 MiB and each mesh file 256 MiB, includes nest at most 32 deep, and the
// model's files together are at most 128 MiB; the errors say which limit.
//
// The package imports only sim/rbd, sim/spatial, sim/meshio (mesh files),
// hal/fileio (the file guards, a leaf) and the standard library.
//
// # Supported MJCF
//
//   - include: anywhere an element may appear; the file is looked for next to
//     the including file, then next to the main file; each file may be
//     included once (as in MuJoCo), and the children of its root are spliced
//     in place.
//   - compiler: angle (default degree), eulerseq (lowercase letters rotate
//     about the moving axes, uppercase about the fixed ones), meshdir and
//     assetdir, autolimits (default true), inertiafromgeom (false, true,
//     auto), inertiagrouprange, boundmass, boundinertia, balanceinertia,
//     strippath, settotalmass (applied, with a warning: MuJoCo deprecates it).
//     discardvisual, texturedir and the rest are accepted and ignored.
//   - option: timestep and gravity; <flag gravity="disable"/> zeroes gravity;
//     other flags that differ from their defaults are reported.
//   - default classes, nested, with class on elements and childclass on
//     bodies and frames, for joint, geom, site, mesh and the actuators. As in
//     MuJoCo a class has one actuator default which every motor, position and
//     velocity in it resets, and <freejoint> takes no defaults.
//   - worldbody, body (pos and quat, axisangle, euler, xyaxes or zaxis),
//     frame, inertial (diaginertia with an orientation, or fullinertia),
//     joint (hinge, slide, ball, free; range, limited, ref, springref,
//     stiffness, damping, armature, frictionloss, actuatorfrcrange,
//     actuatorfrclimited), freejoint, geom (plane, sphere, capsule, ellipsoid,
//     cylinder, box, mesh; fromto; contact and friction attributes; rgba or
//     the material's; mass or density), site.
//   - Bodies without <inertial> (or all bodies with inertiafromgeom="true")
//     get mass, centre of mass and inertia from their geoms: primitives in
//     closed form (a capsule is a cylinder and two hemispheres), meshes by the
//     divergence theorem over their triangles, combined with the parallel-axis
//     theorem. Body.Inertia is the full matrix about the centre of mass in
//     body axes. Computed and fullinertia matrices go through MuJoCo's own
//     decomposition into principal axes, so that they equal what MuJoCo
//     simulates (to about 1e-15 rather than 1e-8). As in MuJoCo, a body with
//     joints must have mass and principal moments above 1e-15.
//   - asset: mesh (binary and ASCII STL, OBJ, or vertex and face attributes;
//     scale), material (its rgba). A missing or unreadable mesh file is a
//     warning and leaves the mesh empty; when that leaves a moving body
//     without mass, the error names the mesh and its file.
//   - actuator: motor, position (kp, kv, inheritrange), velocity (kv) and
//     general (fixed gain; bias none or affine; no activation dynamics) on a
//     hinge or slide joint, with gear, ctrlrange, ctrllimited, forcerange and
//     forcelimited. Actuators with other transmissions or of other kinds are
//     skipped with a warning, and their entries are dropped from keyframe
//     controls.
//   - keyframe/key (name, time, qpos, qvel, ctrl) and custom/numeric.
//
// # Differences from MuJoCo's compiler
//
//   - Mesh vertices stay in the file's frame; MuJoCo moves each mesh to its
//     centroid and principal axes and offsets the geom instead. A mesh's
//     volume is computed exactly (MuJoCo's default "legacy" method
//     over-counts concave meshes).
//   - A geom without rgba takes its material's rgba.
//   - The geom frame given by fromto has its z axis from the second point to
//     the first, as MuJoCo's compiler has it (its manual says the reverse).
//
// Sensors, tendons, equality constraints, contact pairs and exclusions,
// cameras, lights, textures, height fields, plugins and the other MJCF
// elements are ignored with a warning.
//
// Import rules (checked by tools/imports_test.go):
//
// May import: hal/fileio, sim/meshio, sim/rbd, sim/spatial.
package mjcf
