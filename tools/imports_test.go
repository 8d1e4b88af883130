package tools

import (
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The package rules of the module are written in each package's doc.go, in
// the package comment, as lines this test reads:
//
//	May import: hal, sim/rbd, sim/spatial.      (direct imports of the module's packages; "none" for none)
//	Must not import: sim, runtime/....           (not even indirectly)
//	Imported only by: tools/....                 (no other package may import it; "none" for none)
//
// Names are module-relative package paths; "p/..." means p and every package
// under it. A rule may run over several lines and ends with a full stop.
// Only the module's own packages are governed: the standard library and
// third-party modules are not. Test files are exempt: their imports (a
// package's tests may use the simulator or hal/simhal, for instance) are not
// checked, since they are not part of what the package ships. The graph is
// read from the source with go/build for this machine's GOOS/GOARCH.
//
// Every package must have a doc.go with at least one rule, every name in a
// rule must be a package of the module, and every rule must hold.

const modulePath = "github.com/stride-robotics/stride"

type pkgInfo struct {
	rel     string   // module-relative path
	imports []string // module-relative paths of its non-test imports of the module
	rules   map[string][]string
	hasDoc  bool
}

var rulePrefixes = []string{"May import:", "Must not import:", "Imported only by:"}

func TestImportRules(t *testing.T) {
	root := moduleRoot(t)
	pkgs := loadPackages(t, root)
	if len(pkgs) < 10 {
		t.Fatalf("found %d packages under %s; the walk is broken", len(pkgs), root)
	}
	exists := func(pattern string) bool {
		base, sub := strings.CutSuffix(pattern, "/...")
		_, ok := pkgs[base]
		if !ok && sub { // "p/..." may name a directory holding only subpackages
			for rel := range pkgs {
				if strings.HasPrefix(rel, base+"/") {
					return true
				}
			}
		}
		return ok
	}
	var names []string
	for rel := range pkgs {
		names = append(names, rel)
	}
	sort.Strings(names)
	importers := map[string][]string{}
	for _, rel := range names {
		for _, imp := range pkgs[rel].imports {
			importers[imp] = append(importers[imp], rel)
		}
	}
	for _, rel := range names {
		p := pkgs[rel]
		if !p.hasDoc {
			t.Errorf("%s: no doc.go (each package has one saying what it holds and what it must not import)", rel)
			continue
		}
		if len(p.rules) == 0 {
			t.Errorf("%s/doc.go: no import rule (a line starting %q)", rel, rulePrefixes)
			continue
		}
		for kind, list := range p.rules {
			for _, name := range list {
				if !exists(name) {
					t.Errorf("%s/doc.go: %s names %q, which is no package of the module", rel, kind, name)
				}
			}
		}
		if allowed, ok := p.rules["May import:"]; ok {
			for _, imp := range p.imports {
				if !matchAny(imp, allowed) {
					t.Errorf("%s imports %s; its doc.go allows only %s", rel, imp, listOrNone(allowed))
				}
			}
		}
		if banned, ok := p.rules["Must not import:"]; ok {
			for _, dep := range deps(pkgs, rel) {
				if matchAny(dep, banned) {
					t.Errorf("%s depends on %s (%s); its doc.go says it must not import %s", rel, dep,
						strings.Join(path1(pkgs, rel, dep), " → "), strings.Join(banned, ", "))
				}
			}
		}
		if only, ok := p.rules["Imported only by:"]; ok {
			for _, by := range importers[rel] {
				if !matchAny(by, only) {
					t.Errorf("%s imports %s; its doc.go says it is imported only by %s", by, rel, listOrNone(only))
				}
			}
		}
	}
}

// The rule reader and matcher themselves: a rule's names, "none", "p/...",
// and a rule wrapped over lines.
func TestImportRuleParsing(t *testing.T) {
	doc := "Package x does things.\n\nMay import: hal,\nsim/rbd, locomotion/....\nMust not import: none.\nOther text: a, b.\n"
	r := parseRules(doc)
	if got := strings.Join(r["May import:"], "|"); got != "hal|sim/rbd|locomotion/..." {
		t.Errorf("may import %q", got)
	}
	if l, ok := r["Must not import:"]; !ok || len(l) != 0 {
		t.Errorf("must not import %q, %v", l, ok)
	}
	if len(r) != 2 {
		t.Errorf("rules %v", r)
	}
	for _, c := range []struct {
		p, pat string
		want   bool
	}{{"locomotion", "locomotion/...", true}, {"locomotion/qp", "locomotion/...", true}, {"locomotionx", "locomotion/...", false},
		{"sim/rbd", "sim", false}, {"sim", "sim", true}, {"hal/simhal", "hal", false}} {
		if matchAny(c.p, []string{c.pat}) != c.want {
			t.Errorf("match(%q, %q) != %v", c.p, c.pat, c.want)
		}
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

func loadPackages(t *testing.T, root string) map[string]*pkgInfo {
	pkgs := map[string]*pkgInfo{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(p, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			t.Errorf("%s: %v", p, err)
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		info := &pkgInfo{rel: rel}
		for _, imp := range bp.Imports {
			if r, ok := strings.CutPrefix(imp, modulePath+"/"); ok {
				info.imports = append(info.imports, r)
			}
		}
		if doc := filepath.Join(p, "doc.go"); fileExists(doc) {
			info.hasDoc = true
			f, err := parser.ParseFile(token.NewFileSet(), doc, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Errorf("%s: %v", doc, err)
			} else if f.Doc != nil {
				info.rules = parseRules(f.Doc.Text())
			}
		}
		pkgs[rel] = info
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// parseRules reads the rule lines of a package comment.
func parseRules(doc string) map[string][]string {
	rules := map[string][]string{}
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		for _, prefix := range rulePrefixes {
			rest, ok := strings.CutPrefix(line, prefix)
			if !ok {
				continue
			}
			for !strings.HasSuffix(rest, ".") && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				i++
				rest += " " + strings.TrimSpace(lines[i])
			}
			rest = strings.TrimSuffix(strings.TrimSpace(rest), ".")
			var list []string
			for _, name := range strings.Split(rest, ",") {
				if name = strings.TrimSpace(name); name != "" && name != "none" {
					list = append(list, name)
				}
			}
			rules[prefix] = list
		}
	}
	return rules
}

func matchAny(p string, patterns []string) bool {
	for _, pat := range patterns {
		if base, ok := strings.CutSuffix(pat, "/..."); ok {
			if p == base || strings.HasPrefix(p, base+"/") {
				return true
			}
		} else if p == pat {
			return true
		}
	}
	return false
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none of the module's packages"
	}
	return strings.Join(l, ", ")
}

// deps returns every module package rel depends on, directly or not.
func deps(pkgs map[string]*pkgInfo, rel string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		info := pkgs[p]
		if info == nil {
			return
		}
		for _, imp := range info.imports {
			if !seen[imp] {
				seen[imp] = true
				walk(imp)
			}
		}
	}
	walk(rel)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// path1 returns an import chain from a to b (breadth first), for the error.
func path1(pkgs map[string]*pkgInfo, a, b string) []string {
	prev := map[string]string{a: ""}
	queue := []string{a}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == b {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		if info := pkgs[p]; info != nil {
			for _, imp := range info.imports {
				if _, ok := prev[imp]; !ok {
					prev[imp] = p
					queue = append(queue, imp)
				}
			}
		}
	}
	return []string{a, "…", b}
}
