package main

import (
	"strings"
	"testing"
)

// --shard I/N is taken as given; --shards N reads the index from the
// Kubernetes Indexed Job's or the Slurm array's variable; bad values are
// refused naming the flag.
func TestShardOf(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	for _, tc := range []struct {
		shard     string
		shards    int
		k8s, slrm string
		i, n      int
		err       string
	}{
		{shard: "", shards: 0, i: 0, n: 1},
		{shard: "2/7", i: 2, n: 7},
		{shard: "7/7", err: "want I/N with 0 ≤ I < N"},
		{shard: "a/3", err: "want I/N"},
		{shards: 4, k8s: "3", i: 3, n: 4},
		{shards: 4, slrm: "1", i: 1, n: 4},
		{shards: 4, slrm: "4", err: "SLURM_ARRAY_TASK_ID=\"4\": want an index from 0 to 3"},
		{shards: 4, err: "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"},
		{shard: "0/2", shards: 2, err: "give one"},
	} {
		t.Setenv("JOB_COMPLETION_INDEX", tc.k8s)
		t.Setenv("SLURM_ARRAY_TASK_ID", tc.slrm)
		i, n, err := shardOf(tc.shard, tc.shards)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("shardOf(%q, %d) error %v, want %q", tc.shard, tc.shards, err, tc.err)
			}
			continue
		}
		if err != nil || i != tc.i || n != tc.n {
			t.Errorf("shardOf(%q, %d) = %d/%d, %v; want %d/%d", tc.shard, tc.shards, i, n, err, tc.i, tc.n)
		}
	}
}
