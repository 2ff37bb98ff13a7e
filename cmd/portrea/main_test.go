package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUsageAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "Commandes") {
		t.Errorf("usage: %v %q", err, out.String())
	}
	err := run(context.Background(), []string{"bidon"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "commande inconnue « bidon »") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestDemoCommand(t *testing.T) {
	t.Setenv("PORTREA_DB", "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--places", "300", "--seed", "9"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "300 lieux fictifs ajoutés (0 déjà présents)") {
		t.Errorf("output %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"demo", "--places", "300", "--seed", "9"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "0 lieux fictifs ajoutés (300 déjà présents)") {
		t.Errorf("same seed twice: %q", out.String())
	}
	if err := run(context.Background(), []string{"demo"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--places") {
		t.Errorf("missing --places: %v", err)
	}
}

// serve --demo starts, seeds, answers /healthz and the API, and stops
// cleanly when its context ends (as on SIGTERM).
func TestServeDemo(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("PORTREA_DB", "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	t.Setenv("PORTREA_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- run(ctx, []string{"serve", "--demo"}, &out, io.Discard) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		resp, err = http.Get("http://" + addr + "/healthz")
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	resp, err = http.Get("http://" + addr + "/api/v1/lieux?epci=243500618")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"total":`) || strings.Contains(string(body), `"total":0`) {
		t.Errorf("demo not served: %s", body[:min(len(body), 200)])
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, want := range []string{"Données de démonstration installées", "/connexion",
		"hub@demo.portrea.fr / mot de passe : demo-hub-bretagne-2026",
		"référent·e de CC Brocéliande Communauté : referente@broceliande.demo.portrea.fr / mot de passe : demo-broceliande-2026"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUserAddPrintsOneTimeLink(t *testing.T) {
	t.Setenv("PORTREA_DB", "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	t.Setenv("PORTREA_BASE_URL", "https://portrea.example.fr")
	var out bytes.Buffer
	err := run(context.Background(), []string{"user", "add", "--email", "Claire@Exemple.fr", "--role", "referent", "--epci", "243500618", "--type", "associatif"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "Compte créé pour claire@exemple.fr") || !strings.Contains(s, "CC Brocéliande Communauté (243500618)") {
		t.Errorf("output %q", s)
	}
	i := strings.Index(s, "https://portrea.example.fr/compte/activer?jeton=")
	if i < 0 || len(strings.Fields(s[i:])[0]) < len("https://portrea.example.fr/compte/activer?jeton=")+43 {
		t.Errorf("no long one-time link in %q", s)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "--email", "claire@exemple.fr", "--role", "hub"}, "un compte existe déjà"},
		{[]string{"user", "add", "--email", "x@exemple.fr", "--role", "referent", "--epci", "123"}, "EPCI « 123 » inconnu"},
		{[]string{"user", "add", "--email", "pas-une-adresse", "--role", "hub"}, "adresse électronique"},
		{[]string{"user", "add", "--email", "y@exemple.fr", "--role", "admin"}, "rôle « admin » inconnu"},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
