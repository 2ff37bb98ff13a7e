package demo

import (
	"context"
	"errors"
	"fmt"

	"portrea/internal/account"
	"portrea/internal/store"
)

// Account is a demo sign-in, printed by `portrea serve --demo`.
type Account struct {
	Email, Password, Name string
	Role                  account.Role
	EPCI, Kind            string
}

// Accounts are the demo hub administrator and one referent per demo EPCI.
// Their passwords are public: they exist only in demo databases.
var Accounts = []Account{
	{Email: "hub@demo.portrea.fr", Password: "demo-hub-bretagne-2026", Name: "Anne Le Hub", Role: account.RoleHub},
	{Email: "referente@broceliande.demo.portrea.fr", Password: "demo-broceliande-2026", Name: "Gwenaëlle Référente",
		Role: account.RoleReferent, EPCI: BroceliandeSIREN, Kind: account.KindInstitutional},
	{Email: "referent@montfort.demo.portrea.fr", Password: "demo-montfort-2026", Name: "Yann Référent",
		Role: account.RoleReferent, EPCI: MontfortSIREN, Kind: account.KindAssociative},
}

// SeedAccounts creates the demo accounts that do not exist yet.
func SeedAccounts(ctx context.Context, st *store.Store) error {
	for _, a := range Accounts {
		if _, err := st.UserByEmail(ctx, a.Email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		u := &account.User{Email: a.Email, Name: a.Name, Role: a.Role, PasswordHash: account.HashPassword(a.Password)}
		if a.EPCI != "" {
			u.Territories = []account.Territory{{EPCI: a.EPCI, Kind: a.Kind}}
		}
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("demo: account %s: %w", a.Email, err)
		}
	}
	return nil
}
