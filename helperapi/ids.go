package helperapi

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
)

// idGen makes client message ids: a random per-client prefix and a counter,
// unique across clients and processes without coordination. Safe for
// concurrent use.
type idGen struct {
	prefix string
	n      atomic.Uint64
}

func newIDGen() *idGen {
	var b [6]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return &idGen{prefix: "lg-" + hex.EncodeToString(b[:]) + "-"}
}

// next returns a new id such as "lg-3f9a1c0b7e21-1z".
func (g *idGen) next() string {
	var buf [40]byte
	b := append(buf[:0], g.prefix...)
	return string(strconv.AppendUint(b, g.n.Add(1), 36))
}
