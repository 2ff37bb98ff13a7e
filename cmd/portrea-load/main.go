// Command portrea-load simulates people using a running PORTREA server —
// map browsing, directory searches, place sheets, orientation, referents
// editing their places — and prints the latency of each route pattern and
// the throughput. It exits with status 1 if any request failed.
//
//	go run ./cmd/portrea-load -url http://127.0.0.1:8080 -users 200 -duration 60s
//
// Speed is measured here, with a load tool, never as timed assertions in
// the test suite.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// demoReferents are the referent accounts `portrea serve --demo` creates
// (internal/demo): CC Brocéliande Communauté and CC Montfort Communauté.
const demoReferents = "referente@broceliande.demo.portrea.fr:demo-broceliande-2026,referent@montfort.demo.portrea.fr:demo-montfort-2026"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: 0 when every request succeeded, 1 when some failed,
// 2 when the run could not start.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("portrea-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "base URL of the running PORTREA server")
	users := fs.Int("users", 200, "concurrent simulated users")
	duration := fs.Duration("duration", 60*time.Second, "how long the users keep going")
	think := fs.Duration("think", 200*time.Millisecond, "maximum random pause between two requests of a user")
	editors := fs.Float64("editors", 0.10, "fraction of the users who are referents editing their places (0 for none)")
	referents := fs.String("referents", demoReferents, "back-office accounts of the editors, email:password,... (each signs in once)")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	seed := fs.Uint64("seed", 1, "seed of the users' random choices")
	jsonFile := fs.String("json", "", "also write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	creds, err := parseCredentials(*referents)
	if err != nil {
		fmt.Fprintln(stderr, "portrea-load:", err)
		return 2
	}
	cfg := Config{BaseURL: *base, Users: *users, Duration: *duration, ThinkMax: *think, EditorShare: *editors,
		Referents: creds, Timeout: *timeout, Seed: *seed}
	res, err := Run(ctx, cfg)
	if res == nil {
		fmt.Fprintln(stderr, "portrea-load:", err)
		return 2
	}
	res.WriteTable(stdout)
	if *jsonFile != "" {
		if err := res.WriteJSON(*jsonFile); err != nil {
			fmt.Fprintln(stderr, "portrea-load:", err)
			return 2
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "portrea-load:", err)
		return 2
	}
	if res.Errors > 0 {
		fmt.Fprintf(stderr, "portrea-load: %d of %d requests failed\n", res.Errors, res.Requests)
		return 1
	}
	return 0
}

// parseCredentials reads "email:password,email:password".
func parseCredentials(s string) ([]Credential, error) {
	var out []Credential
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		email, pw, ok := strings.Cut(part, ":")
		if !ok || email == "" || pw == "" {
			return nil, fmt.Errorf("-referents: %q is not email:password", part)
		}
		out = append(out, Credential{Email: email, Password: pw})
	}
	return out, nil
}
