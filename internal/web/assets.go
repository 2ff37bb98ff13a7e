package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// assets serves the embedded static files under content-hashed URLs
// (/static/<hash>/<path>), so that they can be cached forever and a new
// version is a new URL.
type assets struct {
	fsys fs.FS
	hash map[string]string // path → short content hash
}

func newAssets() (*assets, error) {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	a := &assets{fsys: sub, hash: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hash[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url returns the cache-busting URL of a static file; a missing file is an
// error, which templates report when they are first executed in tests.
func (a *assets) url(p string) (string, error) {
	h, ok := a.hash[p]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", p)
	}
	return "/static/" + h + "/" + p, nil
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := path.Clean(r.PathValue("path"))
	h, ok := a.hash[p]
	if !ok || strings.HasPrefix(p, "..") {
		http.NotFound(w, r)
		return
	}
	if r.PathValue("hash") == h {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old hash after an upgrade: serve the current file, uncached.
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeFileFS(w, r, a.fsys, p)
}
