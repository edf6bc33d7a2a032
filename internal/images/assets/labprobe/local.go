package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
)

// Iface is one network interface of the probe's namespace.
type Iface struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	MAC   string   `json:"mac,omitempty"`
	Addrs []string `json:"addrs"` // CIDR, "172.18.0.2/16"
}

func ifacesCmd(args []string) (any, bool, error) {
	if len(args) != 0 {
		return nil, false, usageError{"ifaces takes no argument"}
	}
	list, err := net.Interfaces()
	if err != nil {
		code, msg := describe(err)
		return map[string]any{"ok": false, "ifaces": []Iface{}, "error": msg, "code": code}, false, nil
	}
	out := []Iface{}
	for _, i := range list {
		it := Iface{Name: i.Name, Up: i.Flags&net.FlagUp != 0, MAC: i.HardwareAddr.String(), Addrs: []string{}}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			it.Addrs = append(it.Addrs, a.String())
		}
		out = append(out, it)
	}
	return map[string]any{"ok": true, "ifaces": out, "error": "", "code": ""}, true, nil
}

// Route is one IPv4 route of /proc/net/route.
type Route struct {
	Iface   string `json:"iface"`
	Dest    string `json:"dest"`
	Gateway string `json:"gateway"`
	Mask    string `json:"mask"`
}

func routesCmd(args []string) (any, bool, error) {
	if len(args) != 0 {
		return nil, false, usageError{"routes takes no argument"}
	}
	res := map[string]any{"ok": false, "routes": []Route{}, "default": false, "error": "", "code": ""}
	f, err := os.Open("/proc/net/route")
	if err == nil {
		defer f.Close()
		var routes []Route
		if routes, err = parseRoutes(f); err == nil {
			res["ok"], res["routes"], res["default"] = true, routes, hasDefault(routes)
			return res, true, nil
		}
	}
	res["code"], res["error"] = describe(err)
	return res, false, nil
}

// parseRoutes reads the kernel's IPv4 routing table: a header line, then one route per line
// with addresses in little-endian hex.
func parseRoutes(r io.Reader) ([]Route, error) {
	routes := []Route{}
	sc := bufio.NewScanner(r)
	first := true
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if first {
			first = false
			if len(f) > 0 && f[0] == "Iface" {
				continue
			}
		}
		if len(f) < 8 {
			continue
		}
		dest, err1 := hexIPv4(f[1])
		gw, err2 := hexIPv4(f[2])
		mask, err3 := hexIPv4(f[7])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("bad route line %q", sc.Text())
		}
		routes = append(routes, Route{Iface: f[0], Dest: dest, Gateway: gw, Mask: mask})
	}
	return routes, sc.Err()
}

func hexIPv4(s string) (string, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return "", fmt.Errorf("bad address %q", s)
	}
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], binary.LittleEndian.Uint32(b))
	return netip.AddrFrom4(a).String(), nil
}

func hasDefault(routes []Route) bool {
	for _, r := range routes {
		if r.Dest == "0.0.0.0" && r.Mask == "0.0.0.0" {
			return true
		}
	}
	return false
}
