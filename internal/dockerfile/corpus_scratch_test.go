package dockerfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCorpusTiming(t *testing.T) {
	dir := os.Getenv("CORPUS")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	type r struct {
		d time.Duration
		f string
		n int
		e string
	}
	var rs []r
	for _, f := range files {
		dt, _ := os.ReadFile(f)
		lines := strings.SplitN(string(dt), "\n", 3)
		if len(lines) < 2 {
			continue
		}
		v := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
		src, err := strconv.Unquote(v)
		if err != nil {
			continue
		}
		st := time.Now()
		a := Analyze(context.Background(), "Dockerfile", []byte(src))
		e := ""
		if a.ParseError != nil {
			e = a.ParseError.Message
		}
		rs = append(rs, r{time.Since(st), f, len(src), e})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].d > rs[j].d })
	for _, x := range rs[:min(8, len(rs))] {
		fmt.Println(x.d, filepath.Base(x.f), x.n, x.e)
	}
}
