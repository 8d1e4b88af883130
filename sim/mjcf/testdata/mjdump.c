// mjdump prints what MuJoCo compiles from an MJCF file, one record per line,
// for the cross-check test (crosscheck_test.go). Build with -lmujoco.
#include <stdio.h>
#include <mujoco/mujoco.h>

static const char* nm(const mjModel* m, int type, int id) {
  const char* s = mj_id2name(m, type, id);
  return (s && s[0]) ? s : "-";
}

int main(int argc, char** argv) {
  char err[1000] = "";
  if (argc != 2) { fprintf(stderr, "usage: mjdump model.xml\n"); return 2; }
  mjModel* m = mj_loadXML(argv[1], 0, err, sizeof(err));
  if (!m) { printf("error %s\n", err); return 1; }
  printf("sizes %d %d %d\n", m->nq, m->nv, m->nu);
  printf("option %.17g %.17g %.17g %.17g\n", m->opt.timestep, m->opt.gravity[0], m->opt.gravity[1], m->opt.gravity[2]);
  for (int b = 0; b < m->nbody; b++) {
    double R[9], D[9] = {0}, T[9], I[9];
    mju_quat2Mat(R, m->body_iquat + 4*b);
    for (int k = 0; k < 3; k++) D[4*k] = m->body_inertia[3*b+k];
    mju_mulMatMat(T, R, D, 3, 3, 3);
    mju_mulMatMatT(I, T, R, 3, 3, 3);
    printf("body %s %d", nm(m, mjOBJ_BODY, b), m->body_parentid[b]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->body_pos[3*b+k]);
    for (int k = 0; k < 4; k++) printf(" %.17g", m->body_quat[4*b+k]);
    printf(" %.17g", m->body_mass[b]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->body_ipos[3*b+k]);
    for (int k = 0; k < 9; k++) printf(" %.17g", I[k]);
    printf("\n");
  }
  for (int j = 0; j < m->njnt; j++) {
    int d = m->jnt_dofadr[j];
    printf("joint %s %d %d", nm(m, mjOBJ_JOINT, j), m->jnt_type[j], m->jnt_bodyid[j]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->jnt_pos[3*j+k]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->jnt_axis[3*j+k]);
    printf(" %d %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", m->jnt_limited[j], m->jnt_range[2*j], m->jnt_range[2*j+1],
           m->qpos0[m->jnt_qposadr[j]], m->jnt_stiffness[j], m->qpos_spring[m->jnt_qposadr[j]],
           m->dof_damping[d], m->dof_armature[d], m->dof_frictionloss[d]);
  }
  for (int g = 0; g < m->ngeom; g++) {
    printf("geom %s %d %d", nm(m, mjOBJ_GEOM, g), m->geom_type[g], m->geom_bodyid[g]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->geom_size[3*g+k]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->geom_pos[3*g+k]);
    for (int k = 0; k < 4; k++) printf(" %.17g", m->geom_quat[4*g+k]);
    printf(" %d %d %d", m->geom_contype[g], m->geom_conaffinity[g], m->geom_condim[g]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->geom_friction[3*g+k]);
    printf(" %d", m->geom_group[g]);
    for (int k = 0; k < 4; k++) printf(" %.9g", m->geom_rgba[4*g+k]);
    printf("\n");
  }
  for (int s = 0; s < m->nsite; s++) {
    printf("site %s %d", nm(m, mjOBJ_SITE, s), m->site_bodyid[s]);
    for (int k = 0; k < 3; k++) printf(" %.17g", m->site_pos[3*s+k]);
    for (int k = 0; k < 4; k++) printf(" %.17g", m->site_quat[4*s+k]);
    printf("\n");
  }
  for (int a = 0; a < m->nu; a++) {
    printf("actuator %s %d %d %.17g %d %.17g %.17g %d %.17g %.17g %.17g %.17g %.17g %.17g\n", nm(m, mjOBJ_ACTUATOR, a),
           m->actuator_biastype[a],
           m->actuator_trnid[2*a], m->actuator_gear[6*a],
           m->actuator_ctrllimited[a], m->actuator_ctrlrange[2*a], m->actuator_ctrlrange[2*a+1],
           m->actuator_forcelimited[a], m->actuator_forcerange[2*a], m->actuator_forcerange[2*a+1],
           m->actuator_gainprm[10*a], m->actuator_biasprm[10*a], m->actuator_biasprm[10*a+1], m->actuator_biasprm[10*a+2]);
  }
  mj_deleteModel(m);
  return 0;
}
