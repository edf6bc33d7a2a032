package apiproxy

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// peerUID finds the user owning the other end of a loopback TCP connection, from the
// kernel's socket table: the client's socket has our address as its remote end.
func peerUID(c net.Conn) (int, bool) {
	local, ok1 := c.LocalAddr().(*net.TCPAddr)
	remote, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return 0, false
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	// The client's socket: local = its port, remote = ours; both 127.0.0.1 (0100007F).
	want := fmt.Sprintf("0100007F:%04X", remote.Port)
	peer := fmt.Sprintf("0100007F:%04X", local.Port)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[1] != want || fields[2] != peer {
			continue
		}
		uid, err := strconv.Atoi(fields[7])
		return uid, err == nil
	}
	return 0, false
}

// sameUser tells whether the client runs as this process's user. When the kernel's table
// cannot say (no /proc), the connection is let through: the proxy is on loopback only.
func sameUser(c net.Conn) bool {
	uid, ok := peerUID(c)
	if !ok {
		_, err := os.Stat("/proc/net/tcp")
		return err != nil
	}
	return uid == os.Getuid()
}
