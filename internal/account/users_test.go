package account

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// knownEPCI accepts Brocéliande Communauté and Rennes Métropole only.
func knownEPCI(siren string) bool { return siren == "243500618" || siren == "243500139" }

func TestCheckNewUserRefuses(t *testing.T) {
	tests := []struct {
		name string
		user User
		want string // part of the French message
	}{
		{"empty email", User{Email: "", Role: RoleHub}, "adresse électronique"},
		{"no at", User{Email: "jean.dupont", Role: RoleHub}, "adresse électronique"},
		{"nothing before at", User{Email: "@example.org", Role: RoleHub}, "adresse électronique"},
		{"nothing after at", User{Email: "jean@", Role: RoleHub}, "adresse électronique"},
		{"inner space", User{Email: "jean dupont@example.org", Role: RoleHub}, "adresse électronique"},
		{"angle bracket", User{Email: "Jean <jean@example.org>", Role: RoleHub}, "adresse électronique"},
		{"two addresses", User{Email: "a@example.org,b@example.org", Role: RoleHub}, "adresse électronique"},
		{"semicolon", User{Email: "a@example.org;b@example.org", Role: RoleHub}, "adresse électronique"},
		{"quote", User{Email: `"jean"@example.org`, Role: RoleHub}, "adresse électronique"},
		{"unknown role", User{Email: "jean@example.org", Role: "admin"}, "rôle « admin » inconnu"},
		{"empty role", User{Email: "jean@example.org"}, "rôle"},
		{"referent without territory", User{Email: "jean@example.org", Role: RoleReferent}, "au moins un territoire"},
		{"unknown EPCI", User{Email: "jean@example.org", Role: RoleReferent,
			Territories: []Territory{{EPCI: "243500618"}, {EPCI: "999999999"}}}, "EPCI « 999999999 » inconnu"},
		{"unknown kind", User{Email: "jean@example.org", Role: RoleReferent,
			Territories: []Territory{{EPCI: "243500618", Kind: "benevole"}}}, "type de référent « benevole » inconnu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			err := CheckNewUser(&u, knownEPCI)
			if err == nil {
				t.Fatalf("CheckNewUser(%+v) accepted", tt.user)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestCheckNewUserAccepts(t *testing.T) {
	tests := []struct {
		name      string
		user      User
		wantEmail string
		wantName  string
		wantTerrs []Territory
	}{
		{"hub: address normalised, territories cleared",
			User{Email: "  Jean.Dupont@Example.ORG ", Name: "  Jean Dupont ", Role: RoleHub,
				Territories: []Territory{{EPCI: "243500618", Kind: KindInstitutional}}},
			"jean.dupont@example.org", "Jean Dupont", nil},
		{"hub with an unknown EPCI: ignored since cleared",
			User{Email: "hub@example.org", Role: RoleHub, Territories: []Territory{{EPCI: "nope", Kind: "nope"}}},
			"hub@example.org", "", nil},
		{"referent, both kinds and none",
			User{Email: "Anne@Example.org", Role: RoleReferent, Territories: []Territory{
				{EPCI: "243500618", Kind: KindInstitutional}, {EPCI: "243500139", Kind: KindAssociative}}},
			"anne@example.org", "", []Territory{{EPCI: "243500618", Kind: KindInstitutional}, {EPCI: "243500139", Kind: KindAssociative}}},
		{"referent, kind not given",
			User{Email: "anne@example.org", Role: RoleReferent, Territories: []Territory{{EPCI: "243500618"}}},
			"anne@example.org", "", []Territory{{EPCI: "243500618"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			if err := CheckNewUser(&u, knownEPCI); err != nil {
				t.Fatalf("refused: %v", err)
			}
			if u.Email != tt.wantEmail || u.Name != tt.wantName || !reflect.DeepEqual(u.Territories, tt.wantTerrs) {
				t.Errorf("after check: email %q name %q territories %+v, want %q %q %+v",
					u.Email, u.Name, u.Territories, tt.wantEmail, tt.wantName, tt.wantTerrs)
			}
		})
	}
}

func TestLinkURL(t *testing.T) {
	tests := []struct {
		base, purpose, want string
	}{
		{"https://portrea.example.org", PurposeActivation, "https://portrea.example.org/compte/activer?jeton=S3cr3t"},
		{"https://portrea.example.org/", PurposeActivation, "https://portrea.example.org/compte/activer?jeton=S3cr3t"},
		{"https://portrea.example.org//", PurposeReset, "https://portrea.example.org/compte/reinitialiser?jeton=S3cr3t"},
		{"http://localhost:8080", PurposeReset, "http://localhost:8080/compte/reinitialiser?jeton=S3cr3t"},
		// Anything but an activation is a reset link: the short-lived kind.
		{"https://x.example.org", "autre", "https://x.example.org/compte/reinitialiser?jeton=S3cr3t"},
	}
	for _, tt := range tests {
		if got := LinkURL(tt.base, tt.purpose, "S3cr3t"); got != tt.want {
			t.Errorf("LinkURL(%q, %q) = %q, want %q", tt.base, tt.purpose, got, tt.want)
		}
	}
}

func TestLinkTTL(t *testing.T) {
	tests := []struct {
		purpose string
		want    time.Duration
	}{
		{PurposeActivation, 7 * 24 * time.Hour},
		{PurposeReset, time.Hour},
		{"", time.Hour}, // unknown purposes get the short lifetime
		{"autre", time.Hour},
	}
	for _, tt := range tests {
		if got := LinkTTL(tt.purpose); got != tt.want {
			t.Errorf("LinkTTL(%q) = %v, want %v", tt.purpose, got, tt.want)
		}
	}
}

func TestLinkMail(t *testing.T) {
	const link = "https://portrea.example.org/compte/activer?jeton=abcDEF123_-"
	tests := []struct {
		name        string
		user        User
		purpose     string
		subject     string
		contains    []string
		notContains []string
	}{
		{"activation of a named referent", User{Name: "Anne Le Goff", Role: RoleReferent}, PurposeActivation,
			"PORTREA : activez votre compte",
			[]string{"Bonjour Anne Le Goff,", link, "7 jours", RoleLabels[RoleReferent], "ne sert qu'une fois"},
			[]string{"une heure"}},
		{"activation of an unnamed hub admin", User{Role: RoleHub}, PurposeActivation,
			"PORTREA : activez votre compte",
			[]string{"Bonjour,", link, "7 jours", RoleLabels[RoleHub]},
			[]string{"Bonjour ,", "une heure"}},
		{"reset", User{Name: "Jean", Role: RoleHub}, PurposeReset,
			"PORTREA : réinitialiser votre mot de passe",
			[]string{"Bonjour Jean,", link, "une heure", "ignorez ce message"},
			[]string{"7 jours"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, body := LinkMail(&tt.user, tt.purpose, link)
			if subject != tt.subject {
				t.Errorf("subject %q, want %q", subject, tt.subject)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(body, s) {
					t.Errorf("body has %q:\n%s", s, body)
				}
			}
			if strings.Count(body, link) != 1 {
				t.Errorf("link appears %d times", strings.Count(body, link))
			}
		})
	}
	// The lifetimes the mails announce are the ones the links get.
	if LinkTTL(PurposeActivation) != 7*24*time.Hour || LinkTTL(PurposeReset) != time.Hour {
		t.Error("the mails announce lifetimes the links do not have")
	}
}
