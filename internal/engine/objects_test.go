package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInit(t *testing.T) {
	shell := Process{PID: 100, PPID: 90, Args: "/bin/sh /entrypoint.sh"}
	child := Process{PID: 101, PPID: 100, Args: "/app/gateway"}
	health := Process{PID: 120, PPID: 91, Args: "/app/gateway healthcheck"}
	tests := []struct {
		name  string
		ps    []Process
		pid   int
		want  Process
		found bool
	}{
		{"the engine's PID decides", []Process{health, child, shell}, 100, shell, true},
		{"a healthcheck exec is not PID 1", []Process{health, shell, child}, 100, shell, true},
		{"without a PID, the first whose parent is outside", []Process{child, shell}, 0, shell, true},
		{"the PID is not listed: the container restarted", []Process{shell}, 7, Process{}, false},
		{"nothing runs", nil, 100, Process{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Init(tt.ps, tt.pid)
			assert.Equal(t, tt.found, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
