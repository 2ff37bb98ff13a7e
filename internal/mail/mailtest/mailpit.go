// Package mailtest runs a real SMTP server for tests, mailpit, and reads
// what arrived through its HTTP API.
package mailtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running mailpit.
type Server struct {
	SMTPURL string // smtp://127.0.0.1:port
	api     string
}

// binary finds mailpit: $PORTREA_MAILPIT, .ci/bin/mailpit of the
// repository (installed by .ci/run), or the PATH. PORTREA_MAILPIT=off skips
// the test; otherwise a missing mailpit fails it, as e-mail tests are part
// of `make test`.
func binary(t testing.TB) string {
	v := os.Getenv("PORTREA_MAILPIT")
	if v == "off" {
		t.Skip("PORTREA_MAILPIT=off: e-mail tests skipped")
	}
	if v != "" {
		return v
	}
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, ".ci", "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	t.Fatal("mailpit not found: GOBIN=$PWD/.ci/bin go install github.com/axllent/mailpit@v1.33.1 (PORTREA_MAILPIT=off to skip)")
	return ""
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := binary(t)
	smtpPort, httpPort := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--disable-version-check", "--quiet", "--max", "0", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--database", filepath.Join(t.TempDir(), "mailpit.db"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("mailpit: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &Server{SMTPURL: fmt.Sprintf("smtp://test:test@127.0.0.1:%d", smtpPort), api: fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)}
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(s.api + "/messages"); err == nil {
			resp.Body.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("mailpit did not start")
	return nil
}

// Message is a received e-mail.
type Message struct {
	ID      string
	Subject string
	To      []string
	Text    string
	HTML    string
}

// Messages returns what arrived, newest first.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct {
			ID      string
			Subject string
			To      []struct{ Address string }
		}
	}
	get(t, s.api+"/messages", &list)
	var out []Message
	for _, m := range list.Messages {
		var full struct{ Text, HTML string }
		get(t, s.api+"/message/"+m.ID, &full)
		msg := Message{ID: m.ID, Subject: m.Subject, Text: strings.ReplaceAll(full.Text, "\r\n", "\n"), HTML: full.HTML}
		for _, to := range m.To {
			msg.To = append(msg.To, to.Address)
		}
		out = append(out, msg)
	}
	return out
}

// Addresses returns the recipient of every message that arrived, one
// entry per message (a message sent twice shows twice).
func (s *Server) Addresses(t testing.TB) []string {
	t.Helper()
	var out []string
	for start := 0; ; start += 500 {
		var page struct {
			Total    int
			Messages []struct{ To []struct{ Address string } }
		}
		get(t, fmt.Sprintf("%s/messages?start=%d&limit=500", s.api, start), &page)
		for _, m := range page.Messages {
			for _, to := range m.To {
				out = append(out, to.Address)
			}
		}
		if len(page.Messages) == 0 || start+len(page.Messages) >= page.Total {
			return out
		}
	}
}

func get(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", url, err)
	}
}
