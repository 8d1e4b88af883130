// mjstat.c - one timed run of MuJoCo's mj_step on the PD-stand scenario with
// the constraint solver's work counts, for `stride bench sim` (built by
// tools/bench with gcc -O2 -lmujoco -lm; the same scenario as
// ../shared/peer/peer.c, whose -p/-d PD hold it repeats).
//
// usage: mjstat MODEL -t dt [-n steps] [-k key] [-p kp] [-d kd]
//   -t   timestep in seconds (required: both simulators run the same one)
//   -n   steps (default 10000); -k keyframe (default 0 if any, else the
//        default pose); -p/-d PD-hold the start pose through every motor
//        actuator: ctrl = (kp*(q0-q) - kd*qd)/(gear*gain)
//
// Prints one line, every figure per mj_step over the run:
//   mjstat cpu_us C wall_us W iter_mean I iter_max J neval_mean E
//   neval_max F nupdate_mean U nupdate_max V ncon_mean N nefc_mean R z Z
// cpu_us is process CPU time (CLOCK_PROCESS_CPUTIME_ID: MuJoCo 2.2.2 runs on
// one thread), iter is mjData.solver_iter, neval and nupdate the sums over
// the step's iterations of mjSolverStat.neval (line-search cost
// evaluations) and .nupdate (Cholesky updates).

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mujoco/mujoco.h>

static double clk(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double kp, kd;
static const mjtNum* q0;

static void pd(const mjModel* m, mjData* d) {
  for (int i = 0; i < m->nu; i++) {
    int j = m->actuator_trnid[2 * i];
    if (m->actuator_trntype[i] != mjTRN_JOINT || m->actuator_biastype[i] != mjBIAS_NONE ||
        m->actuator_gaintype[i] != mjGAIN_FIXED || m->actuator_dyntype[i] != mjDYN_NONE ||
        (m->jnt_type[j] != mjJNT_HINGE && m->jnt_type[j] != mjJNT_SLIDE))
      continue;
    int qa = m->jnt_qposadr[j], va = m->jnt_dofadr[j];
    d->ctrl[i] = (kp * (q0[qa] - d->qpos[qa]) - kd * d->qvel[va]) /
                 (m->actuator_gear[6 * i] * m->actuator_gainprm[mjNGAIN * i]);
  }
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL -t dt [-n steps] [-k key] [-p kp] [-d kd]\n", argv[0]);
    return 2;
  }
  int n = 10000, key = -2;
  double dt = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *a = argv[i], *v = argv[i + 1];
    if (!strcmp(a, "-n")) n = atoi(v);
    else if (!strcmp(a, "-t")) dt = atof(v);
    else if (!strcmp(a, "-k")) key = atoi(v);
    else if (!strcmp(a, "-p")) kp = atof(v);
    else if (!strcmp(a, "-d")) kd = atof(v);
    else { fprintf(stderr, "unknown option %s\n", a); return 2; }
  }
  if (n < 1 || !(dt > 0)) { fprintf(stderr, "need -n >= 1 and -t > 0\n"); return 2; }
  char err[1000] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, err, sizeof(err));
  if (!m) { fprintf(stderr, "load error: %s\n", err); return 1; }
  m->opt.timestep = dt;
  if (key == -2) key = m->nkey > 0 ? 0 : -1;
  if (key >= m->nkey) { fprintf(stderr, "no keyframe %d\n", key); return 1; }
  mjData* d = mj_makeData(m);
  if (key >= 0) mj_resetDataKeyframe(m, d, key);
  else mj_resetData(m, d);
  if (kp > 0 || kd > 0) {
    q0 = key >= 0 ? m->key_qpos + key * m->nq : m->qpos0;
    mjcb_control = pd;
  }
  mj_forward(m, d);
  long sit = 0, sev = 0, sup = 0, scon = 0, sefc = 0;
  int mit = 0, mev = 0, mup = 0;
  double c0 = clk(CLOCK_PROCESS_CPUTIME_ID), w0 = clk(CLOCK_MONOTONIC);
  for (int s = 0; s < n; s++) {
    mj_step(m, d);
    int it = d->solver_iter, ev = 0, up = 0;
    for (int i = 0; i < it && i < mjNSOLVER; i++) {
      ev += d->solver[i].neval;
      up += d->solver[i].nupdate;
    }
    sit += it, sev += ev, sup += up, scon += d->ncon, sefc += d->nefc;
    if (it > mit) mit = it;
    if (ev > mev) mev = ev;
    if (up > mup) mup = up;
  }
  double c1 = clk(CLOCK_PROCESS_CPUTIME_ID), w1 = clk(CLOCK_MONOTONIC);
  double z = (m->njnt && m->jnt_type[0] == mjJNT_FREE) ? d->qpos[2] : 0;
  printf("mjstat cpu_us %.4f wall_us %.4f iter_mean %.4f iter_max %d neval_mean %.4f neval_max %d "
         "nupdate_mean %.4f nupdate_max %d ncon_mean %.3f nefc_mean %.3f z %.5f\n",
         1e6 * (c1 - c0) / n, 1e6 * (w1 - w0) / n, (double)sit / n, mit, (double)sev / n, mev,
         (double)sup / n, mup, (double)scon / n, (double)sefc / n, z);
  for (int w = 0; w < mjNWARNING; w++)
    if (d->warning[w].number)
      printf("warning %d: %d times\n", w, d->warning[w].number);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
