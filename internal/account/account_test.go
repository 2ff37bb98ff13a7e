package account

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("une longue phrase de passe")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h == HashPassword("une longue phrase de passe") {
		t.Error("same salt twice")
	}
	if !VerifyPassword("une longue phrase de passe", h) || VerifyPassword("une longue phrase de passf", h) || VerifyPassword("x", "") {
		t.Error("verification")
	}
	for _, bad := range []string{"court", "password123456", "jean.dupont-2026!", "MotDePasse2026!"} {
		if CheckPassword(bad, "jean.dupont@example.org") == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := CheckPassword("la forêt de Brocéliande au matin", "jean.dupont@example.org"); err != nil {
		t.Error(err)
	}
}

func TestTokensAndRights(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if len(a) < 43 || a == b || HashToken(a) != ha || ha == a {
		t.Errorf("tokens %q %q %q", a, b, ha)
	}
	hub := &User{Role: RoleHub}
	ref := &User{Role: RoleReferent, Territories: []Territory{{EPCI: "243500618"}}}
	off := &User{Role: RoleHub, Disabled: true}
	var nobody *User
	if !hub.CanSee("x") || !ref.CanSee("243500618") || ref.CanSee("243500550") || off.CanSee("x") || nobody.CanSee("x") {
		t.Error("rights")
	}
}
