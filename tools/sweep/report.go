package sweep

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// SetSummary is one parameter set over its seeds.
type SetSummary struct {
	Set      int
	Params   map[string]any
	N, Falls int
	Mean     map[string]float64 // per metric, over the seeds that have it
	Std      map[string]float64 // sample standard deviation (0 for one seed)
	Feasible bool               // meets the constraints
	Why      string             // the first constraint it breaks
}

// FallRate is the fraction of the set's rollouts that fell.
func (s *SetSummary) FallRate() float64 { return float64(s.Falls) / float64(s.N) }

// Summarise groups rows by parameter set (in set order) and checks each
// against the constraints.
func Summarise(rows []Row, c Constraints) []SetSummary {
	by := map[int][]Row{}
	var order []int
	for _, r := range rows {
		if _, ok := by[r.Set]; !ok {
			order = append(order, r.Set)
		}
		by[r.Set] = append(by[r.Set], r)
	}
	sort.Ints(order)
	var out []SetSummary
	for _, set := range order {
		rs := by[set]
		s := SetSummary{Set: set, Params: rs[0].Params, N: len(rs), Mean: map[string]float64{}, Std: map[string]float64{}}
		sums := map[string][]float64{}
		for _, r := range rs {
			if r.Fell {
				s.Falls++
			}
			for k, v := range r.Metrics {
				sums[k] = append(sums[k], v)
			}
		}
		for k, xs := range sums {
			m, sd := meanStd(xs)
			s.Mean[k], s.Std[k] = m, sd
		}
		s.Feasible, s.Why = c.check(&s)
		out = append(out, s)
	}
	return out
}

func meanStd(xs []float64) (float64, float64) {
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	if len(xs) < 2 {
		return m, 0
	}
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
}

// check says whether s meets the constraints, and if not, why.
func (c Constraints) check(s *SetSummary) (bool, string) {
	if c.MaxFalls >= 0 && s.Falls > c.MaxFalls {
		return false, fmt.Sprintf("%d falls (at most %d)", s.Falls, c.MaxFalls)
	}
	keys := func(m map[string]float64) []string {
		var k []string
		for x := range m {
			k = append(k, x)
		}
		sort.Strings(k)
		return k
	}
	for _, k := range keys(c.Max) {
		if v, ok := s.Mean[k]; !ok || v > c.Max[k] {
			return false, fmt.Sprintf("%s %s above %g", k, fmtMaybe(v, ok), c.Max[k])
		}
	}
	for _, k := range keys(c.Min) {
		if v, ok := s.Mean[k]; !ok || v < c.Min[k] {
			return false, fmt.Sprintf("%s %s below %g", k, fmtMaybe(v, ok), c.Min[k])
		}
	}
	return true, ""
}

func fmtMaybe(v float64, ok bool) string {
	if !ok {
		return "missing"
	}
	return fmt.Sprintf("%.4g", v)
}

// Rank orders sets best first: feasible before infeasible, then by the
// objective's mean (sets lacking it last), then by fall rate, then set.
func Rank(sets []SetSummary, o Objective) []SetSummary {
	out := append([]SetSummary(nil), sets...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Feasible != b.Feasible {
			return a.Feasible
		}
		va, oka := a.Mean[o.Metric]
		vb, okb := b.Mean[o.Metric]
		if oka != okb {
			return oka
		}
		if oka && va != vb {
			if o.Goal == "max" {
				return va > vb
			}
			return va < vb
		}
		if a.Falls != b.Falls {
			return a.Falls < b.Falls
		}
		return a.Set < b.Set
	})
	return out
}

// WriteTable prints ranked sets as a Markdown table: rank, the
// parameters, rollouts, fall rate, then mean ± std of each metric.
func WriteTable(w io.Writer, ranked []SetSummary, params, metrics []string, limit int) {
	head := append([]string{"rank"}, params...)
	head = append(head, "n", "fell")
	head = append(head, metrics...)
	head = append(head, "feasible")
	fmt.Fprintf(w, "| %s |\n", strings.Join(head, " | "))
	fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(head)))
	for i, s := range ranked {
		if limit > 0 && i >= limit {
			fmt.Fprintf(w, "\n(%d more sets)\n", len(ranked)-limit)
			break
		}
		rec := []string{fmt.Sprint(i + 1)}
		for _, p := range params {
			rec = append(rec, fmt.Sprint(s.Params[p]))
		}
		rec = append(rec, fmt.Sprint(s.N), fmt.Sprintf("%.0f %%", 100*s.FallRate()))
		for _, m := range metrics {
			if v, ok := s.Mean[m]; ok {
				rec = append(rec, fmt.Sprintf("%.4g ± %.2g", v, s.Std[m]))
			} else {
				rec = append(rec, "–")
			}
		}
		f := "yes"
		if !s.Feasible {
			f = "no: " + s.Why
		}
		rec = append(rec, f)
		fmt.Fprintf(w, "| %s |\n", strings.Join(rec, " | "))
	}
}
