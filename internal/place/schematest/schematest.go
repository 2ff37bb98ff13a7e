// Package schematest finds, for tests, the reference files shared beside
// the repository (../shared/reference): the national schema, its valid
// example and the real files of hubs. They are never copied into the
// repository.
package schematest

import (
	"os"
	"path/filepath"
	"testing"
)

// File returns the path of a file under shared/reference, looked up from
// $PORTREA_SHARED (the shared folder itself), then beside the parents of
// the working directory, then at /work/shared where the project's
// machines keep it. A missing file fails the test: these checks are part
// of the acceptance, not optional.
func File(t testing.TB, name string) string {
	t.Helper()
	var dirs []string
	if d := os.Getenv("PORTREA_SHARED"); d != "" {
		dirs = append(dirs, d)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		dirs = append(dirs, filepath.Join(d, "shared"), filepath.Join(d, "..", "shared"))
		if filepath.Dir(d) == d {
			break
		}
	}
	dirs = append(dirs, "/work/shared")
	for _, d := range dirs {
		p := filepath.Join(d, "reference", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("reference file %s not found beside the repository (set PORTREA_SHARED to the shared folder)", name)
	return ""
}
