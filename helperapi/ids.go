package helperapi

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"sync/atomic"
)

// idGen makes client message ids: a random per-client prefix and a counter,
// unique across clients and processes without coordination. Safe for
// concurrent use.
type idGen struct {
	prefix string
	offset uint64 // a random start for the widget's and the SDK's id forms
	n      atomic.Uint64
}

func newIDGen() *idGen {
	var b [6]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	var o [8]byte
	rand.Read(o[:])
	return &idGen{prefix: "lg-" + hex.EncodeToString(b[:]) + "-", offset: binary.LittleEndian.Uint64(o[:]) >> 1}
}

// next returns a new id such as "lg-3f9a1c0b7e21-1z".
func (g *idGen) next() string {
	var buf [40]byte
	b := append(buf[:0], g.prefix...)
	return string(strconv.AppendUint(b, g.n.Add(1), 36))
}

// widgetID returns an id in the widget's form, "client_" and six base-36
// digits (Conversation.tsx: `client_${Math.random().toString(36).slice(-6)}`),
// from the counter: unique for 36^6 ids.
func (g *idGen) widgetID() string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	n := g.n.Add(1) + g.offset
	var b [13]byte
	copy(b[:], "client_")
	for i := 12; i >= 7; i-- {
		b[i] = digits[n%36]
		n /= 36
	}
	return string(b[:])
}

// sdkID returns an id in the AI SDK's default form: 16 letters and digits.
func (g *idGen) sdkID() string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	n := g.n.Add(1) + g.offset
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[n%62]
		n /= 62
	}
	return string(b[:])
}
