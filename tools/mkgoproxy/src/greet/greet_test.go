package greet

import "testing"

func TestHello(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Docker", "Bonjour, Docker"},
		{"", "Bonjour, tout le monde"},
	} {
		if got := Hello(tc.name); got != tc.want {
			t.Errorf("Hello(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
