package helperapi

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
)

// idGen makes client message ids in the widget's and the AI SDK's forms
// from a random offset and a counter: unique within a client for 36^6 ids,
// and unlikely to collide across clients. Safe for concurrent use.
type idGen struct {
	offset uint64 // a random start for the widget's and the SDK's id forms
	n      atomic.Uint64
}

func newIDGen() *idGen {
	var o [8]byte
	rand.Read(o[:]) // never fails (crypto/rand crashes the program instead)
	return &idGen{offset: binary.LittleEndian.Uint64(o[:]) >> 1}
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
