package lab02

import (
	"strings"
	"testing"
)

// FuzzParseKV feeds info.sh's parser any output: it never panics, a parsed key is always a
// valid key, and a well-formed line always reads back.
func FuzzParseKV(f *testing.F) {
	f.Add("server_version=20.10.24\napi_version=1.41\n")
	f.Add("a=\"b\"\r\n\n  c = d \n")
	f.Add("garbage\n=x\nk==v\n")
	f.Add("\xff=\x00")
	f.Add("k=1\nk=2\n")
	f.Fuzz(func(t *testing.T, out string) {
		kv, bad := parseKV(out)
		if bad != nil {
			if kv != nil || bad.Line < 1 || bad.Why.FR == "" || bad.Why.EN == "" {
				t.Fatalf("bad problem %+v for %q", bad, out)
			}
			_ = judgeInfo(out, map[string]string{})
			return
		}
		for k := range kv {
			if !validKey(k) {
				t.Fatalf("invalid key %q kept from %q", k, out)
			}
		}
		// A line we write ourselves reads back, whatever came before it.
		v := strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '"' || r == '\'' {
				return -1
			}
			return r
		}, out))
		if len(v) > 200 {
			v = v[:200]
		}
		kv2, bad2 := parseKV("zz_fuzz=" + v + "\n")
		if bad2 == nil && kv2["zz_fuzz"] != strings.TrimSpace(v) {
			t.Fatalf("zz_fuzz=%q read back as %q", v, kv2["zz_fuzz"])
		}
	})
}

// FuzzEventActions: any output gives only lifecycle words, and judging it never panics.
func FuzzEventActions(f *testing.F) {
	f.Add("create\nstart\ndie\ndestroy\n")
	f.Add(`{"status":"create","Action":"create"}`)
	f.Add("\x00\xff create")
	f.Fuzz(func(t *testing.T, out string) {
		for _, a := range lineActions(out) {
			if a != "create" && a != "start" && a != "die" && a != "destroy" {
				t.Fatalf("action %q from %q", a, out)
			}
		}
		_ = judgeEvents(out, window{since: 1, until: 2, name: "n", id: "0123456789abcdef"})
	})
}
