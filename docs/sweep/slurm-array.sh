#!/bin/bash
# A sweep sharded over a Slurm job array (docs/sweep.md): 8 array tasks,
# each runs the rollouts of its shard (the index comes from
# SLURM_ARRAY_TASK_ID: the array must count from 0) into
# results/<spec name>/shard-I-of-8.jsonl on the shared file system; a
# second job gathers them once every task has finished:
#
#   jid=$(sbatch --parsable docs/sweep/slurm-array.sh)
#   sbatch --dependency=afterok:$jid --wrap "stride sweep gather results/speed-frequency"
#
# A task that is requeued or run again resumes its shard.
#SBATCH --job-name=stride-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --output=stride-sweep-%A-%a.out
set -euo pipefail
srun stride sweep run docs/sweep/speed-frequency.yaml \
  --out results/speed-frequency --shards 8 --workers "${SLURM_CPUS_PER_TASK}"
