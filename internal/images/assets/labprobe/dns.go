package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// DNSResult is what `labprobe dns` prints.
type DNSResult struct {
	OK     bool     `json:"ok"`
	Name   string   `json:"name"`
	Server string   `json:"server"`
	Addrs  []string `json:"addrs"`
	Rcode  string   `json:"rcode,omitempty"`
	Error  string   `json:"error"`
	Code   string   `json:"code"`
	MS     int64    `json:"ms"`
}

func dnsCmd(ctx context.Context, args []string) (any, bool, error) {
	fs := flag.NewFlagSet("dns", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 2*time.Second, "timeout of the whole lookup")
	server := fs.String("server", "127.0.0.11:53", "DNS server (Docker's embedded DNS by default)")
	pos, err := flags(fs, args, 1)
	if err != nil {
		return nil, false, err
	}
	if err := positive("timeout", *timeout); err != nil {
		return nil, false, err
	}
	if _, _, err := net.SplitHostPort(*server); err != nil {
		return nil, false, usageError{"dns: -server wants HOST:PORT: " + err.Error()}
	}
	name := strings.TrimSuffix(pos[0], ".")
	if err := checkName(name); err != nil {
		return nil, false, usageError{"dns: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	res := DNSResult{Name: name, Server: *server, Addrs: []string{}}
	addrs, rcode, err := lookup(ctx, *server, name)
	res.MS = time.Since(start).Milliseconds()
	res.Rcode = rcode
	if err != nil {
		res.Code, res.Error = describe(err)
		return res, false, nil
	}
	res.OK, res.Addrs = true, addrs
	return res, true, nil
}

// checkName refuses what cannot be a DNS name, so a query is never malformed.
func checkName(name string) error {
	if name == "" || len(name) > 253 {
		return fmt.Errorf("bad name %q", name)
	}
	for _, l := range strings.Split(name, ".") {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("bad name %q", name)
		}
	}
	return nil
}

// DNS record types and response codes the probe reads.
const (
	typeA    = 1
	typeAAAA = 28
	classIN  = 1
)

var rcodes = map[int]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

// lookup asks server, and only server, for the A then AAAA records of name: unlike the
// system resolver it never reads /etc/hosts, so a lab's DNS is what is judged.
func lookup(ctx context.Context, server, name string) ([]string, string, error) {
	if ip, err := netip.ParseAddr(name); err == nil {
		return []string{ip.String()}, "", nil
	}
	addrs, rcode, err := query(ctx, server, name, typeA)
	if err != nil {
		return nil, rcode, fmt.Errorf("%s: %w", name, err)
	}
	// Docker's DNS may answer AAAA slowly or not at all on IPv4 networks: A is what counts.
	more, _, aaaaErr := query(ctx, server, name, typeAAAA)
	if aaaaErr == nil {
		addrs = append(addrs, more...)
	}
	if len(addrs) == 0 {
		return nil, rcode, fmt.Errorf("%s: %w (no address)", name, errNXDomain)
	}
	return addrs, rcode, nil
}

// query sends one question over UDP and reads the matching answer.
func query(ctx context.Context, server, name string, qtype uint16) ([]string, string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	var idb [2]byte
	_, _ = rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	msg, err := buildQuery(id, name, qtype)
	if err != nil {
		return nil, "", err
	}
	if _, err := c.Write(msg); err != nil {
		return nil, "", err
	}
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return nil, "", err
		}
		addrs, rcode, err := parseResponse(buf[:n], id, qtype)
		if errors.Is(err, errOtherID) {
			continue // a late answer to an earlier query
		}
		if err != nil {
			return nil, rcode, err
		}
		return addrs, rcode, nil
	}
}

var errOtherID = errors.New("answer to another query")

// buildQuery encodes a recursive query for name.
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	msg := make([]byte, 12, 12+len(name)+6)
	binary.BigEndian.PutUint16(msg[0:], id)
	binary.BigEndian.PutUint16(msg[2:], 0x0100) // RD
	binary.BigEndian.PutUint16(msg[4:], 1)      // QDCOUNT
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if l == "" || len(l) > 63 {
			return nil, fmt.Errorf("bad name %q", name)
		}
		msg = append(msg, byte(len(l)))
		msg = append(msg, l...)
	}
	msg = append(msg, 0)
	msg = binary.BigEndian.AppendUint16(msg, qtype)
	msg = binary.BigEndian.AppendUint16(msg, classIN)
	return msg, nil
}

var errShort = errors.New("truncated DNS message")

// parseResponse reads the addresses of type qtype in a response to query id. An NXDOMAIN
// answer is errNXDomain; another failing rcode is an error naming it.
func parseResponse(msg []byte, id, qtype uint16) ([]string, string, error) {
	if len(msg) < 12 {
		return nil, "", errShort
	}
	if binary.BigEndian.Uint16(msg[0:]) != id {
		return nil, "", errOtherID
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	if flags&0x8000 == 0 {
		return nil, "", errors.New("DNS message is not a response")
	}
	rc := int(flags & 0xf)
	rcode := rcodes[rc]
	if rcode == "" {
		rcode = fmt.Sprintf("RCODE%d", rc)
	}
	switch rc {
	case 0:
	case 3:
		return nil, rcode, errNXDomain
	default:
		return nil, rcode, fmt.Errorf("DNS server answered %s", rcode)
	}
	qd, an := int(binary.BigEndian.Uint16(msg[4:])), int(binary.BigEndian.Uint16(msg[6:]))
	off := 12
	var err error
	for i := 0; i < qd; i++ {
		if off, err = skipName(msg, off); err != nil {
			return nil, rcode, err
		}
		if off += 4; off > len(msg) {
			return nil, rcode, errShort
		}
	}
	addrs := []string{}
	for i := 0; i < an; i++ {
		if off, err = skipName(msg, off); err != nil {
			return nil, rcode, err
		}
		if off+10 > len(msg) {
			return nil, rcode, errShort
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		class := binary.BigEndian.Uint16(msg[off+2:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		off += 10
		if off+rdlen > len(msg) {
			return nil, rcode, errShort
		}
		rdata := msg[off : off+rdlen]
		off += rdlen
		if typ != qtype || class != classIN {
			continue // a CNAME on the way, or another type
		}
		if ip, ok := netip.AddrFromSlice(rdata); ok && (rdlen == 4 || rdlen == 16) {
			addrs = append(addrs, ip.Unmap().String())
		}
	}
	return addrs, rcode, nil
}

// skipName steps over a (possibly compressed) name starting at off.
func skipName(msg []byte, off int) (int, error) {
	for {
		if off >= len(msg) {
			return 0, errShort
		}
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1, nil
		case l&0xc0 == 0xc0: // pointer: the name ends here for our purpose
			if off+2 > len(msg) {
				return 0, errShort
			}
			return off + 2, nil
		case l&0xc0 != 0:
			return 0, errors.New("bad DNS label")
		}
		off += 1 + l
	}
}
