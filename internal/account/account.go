// Package account owns the people who sign in to the back office: the hub
// administrators and the territories' referents, their roles and
// territories, passwords, sessions and one-time links.
package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Role is what a user may do.
type Role string

const (
	RoleHub      Role = "hub"      // every territory, users, settings, pipeline
	RoleReferent Role = "referent" // their territories only
)

// RoleLabels are the French names of the roles.
var RoleLabels = map[Role]string{RoleHub: "Administrateur du hub", RoleReferent: "Référent·e territorial·e"}

// Kind of a referent in the pair the method recommends for each EPCI.
const (
	KindInstitutional = "institutionnel"
	KindAssociative   = "associatif"
)

// KindLabels are the French names of the referent kinds.
var KindLabels = map[string]string{KindInstitutional: "institutionnel·le", KindAssociative: "associatif·ve", "": "non précisé"}

// User is a person with an account.
type User struct {
	ID           string
	Email        string
	Name         string
	Role         Role
	PasswordHash string // empty until the person sets a password
	Disabled     bool
	Territories  []Territory
	CreatedAt    time.Time
	LastLoginAt  time.Time
}

// Territory is an EPCI a referent is in charge of.
type Territory struct {
	EPCI string
	Kind string // KindInstitutional, KindAssociative or ""
}

// CanSee reports whether the user may see and edit a territory's places,
// queue, campaigns and portrait.
func (u *User) CanSee(epci string) bool {
	if u == nil || u.Disabled {
		return false
	}
	if u.Role == RoleHub {
		return true
	}
	for _, t := range u.Territories {
		if t.EPCI == epci {
			return true
		}
	}
	return false
}

// EPCIs lists the user's territories (nil for a hub admin: all).
func (u *User) EPCIs() []string {
	var out []string
	for _, t := range u.Territories {
		out = append(out, t.EPCI)
	}
	return out
}

// NormalizeEmail lowercases and trims an address.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// MinPassword is the minimum length of a password, in characters.
const MinPassword = 12

// CheckPassword refuses passwords too short or too common.
func CheckPassword(pw, email string) error {
	if utf8.RuneCountInString(pw) < MinPassword {
		return fmt.Errorf("le mot de passe doit compter au moins %d caractères", MinPassword)
	}
	low := strings.ToLower(pw)
	if local, _, _ := strings.Cut(email, "@"); local != "" && strings.Contains(low, strings.ToLower(local)) {
		return errors.New("le mot de passe ne doit pas contenir votre adresse électronique")
	}
	for _, common := range []string{"motdepasse", "password", "123456789", "azertyuiop", "portrea"} {
		if strings.Contains(low, common) {
			return errors.New("ce mot de passe est trop courant : choisissez une phrase de passe à vous")
		}
	}
	return nil
}

// Argon2id parameters: the OWASP recommendation for interactive logins
// (19 MiB, 2 passes, 1 lane), about 40 ms on the project's 2-core machine.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword hashes a password with Argon2id and a random salt, in the
// PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword checks a password against a hash from HashPassword, in
// constant time. An empty hash never matches.
func VerifyPassword(pw, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked when the account does not exist, so that a login
// takes the same time whether or not the address is known.
var dummyHash = HashPassword("une phrase de passe qui ne sert à rien")

// VerifyAgainstNothing spends the time of a password check.
func VerifyAgainstNothing(pw string) { VerifyPassword(pw, dummyHash) }

// NewToken returns a random secret for a link or a session (256 bits,
// URL-safe) and the hash to store: the database never holds the secret.
func NewToken() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken is the stored form of a token.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Purposes of one-time links.
const (
	PurposeActivation = "activation" // set the first password
	PurposeReset      = "reinitialisation"
)

// Link lifetimes.
const (
	ActivationTTL = 7 * 24 * time.Hour
	ResetTTL      = time.Hour
	SessionTTL    = 12 * time.Hour // idle sessions end sooner, see SessionIdle
	SessionIdle   = 2 * time.Hour
)

// LinkTTL is how long a one-time link of a purpose stays valid.
func LinkTTL(purpose string) time.Duration {
	if purpose == PurposeActivation {
		return ActivationTTL
	}
	return ResetTTL
}

// LinkURL is the address of a one-time link.
func LinkURL(base, purpose, secret string) string {
	path := "/compte/reinitialiser"
	if purpose == PurposeActivation {
		path = "/compte/activer"
	}
	return strings.TrimRight(base, "/") + path + "?jeton=" + secret
}

// LinkMail writes the French e-mail that carries a one-time link.
func LinkMail(u *User, purpose, link string) (subject, body string) {
	hello := "Bonjour,"
	if u.Name != "" {
		hello = "Bonjour " + u.Name + ","
	}
	if purpose == PurposeActivation {
		return "PORTREA : activez votre compte", hello + `

Un compte PORTREA a été ouvert pour vous (` + RoleLabels[u.Role] + `).
Pour choisir votre mot de passe et accéder à l'espace de gestion, ouvrez ce lien :

` + link + `

Ce lien est personnel, ne sert qu'une fois et reste valable 7 jours.

L'équipe PORTREA
`
	}
	return "PORTREA : réinitialiser votre mot de passe", hello + `

Une réinitialisation du mot de passe de votre compte PORTREA a été demandée.
Pour choisir un nouveau mot de passe, ouvrez ce lien :

` + link + `

Ce lien ne sert qu'une fois et reste valable une heure. Si vous n'êtes pas à
l'origine de cette demande, ignorez ce message : votre mot de passe actuel
reste valable.

L'équipe PORTREA
`
}

// CheckNewUser validates an account before it is created: a valid
// address, a known role, and for a referent at least one known EPCI with a
// known kind. knownEPCI tells whether a SIREN is an EPCI of the reference.
func CheckNewUser(u *User, knownEPCI func(string) bool) error {
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	at := strings.LastIndexByte(u.Email, '@')
	if at < 1 || at == len(u.Email)-1 || strings.ContainsAny(u.Email, " <>,;\"") {
		return fmt.Errorf("adresse électronique « %s » invalide", u.Email)
	}
	switch u.Role {
	case RoleHub:
		u.Territories = nil
	case RoleReferent:
		if len(u.Territories) == 0 {
			return errors.New("un·e référent·e doit avoir au moins un territoire (SIREN de l'EPCI)")
		}
		for _, t := range u.Territories {
			if !knownEPCI(t.EPCI) {
				return fmt.Errorf("EPCI « %s » inconnu : indiquez le SIREN à 9 chiffres de l'intercommunalité", t.EPCI)
			}
			if _, ok := KindLabels[t.Kind]; !ok {
				return fmt.Errorf("type de référent « %s » inconnu : %s ou %s", t.Kind, KindInstitutional, KindAssociative)
			}
		}
	default:
		return fmt.Errorf("rôle « %s » inconnu : hub ou referent", u.Role)
	}
	return nil
}
