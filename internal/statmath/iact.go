package statmath

import (
	"math"
	"math/bits"
	"math/cmplx"
)

// IACT returns the integrated autocorrelation time of the series xs:
// τ = 1 + 2·Σₖ ρₖ, the factor by which autocorrelation inflates the variance
// of its mean (n observations carry the information of n/τ independent
// ones). It uses Geyer's initial positive sequence: the sums of adjacent
// autocorrelation pairs ρ₂ₘ + ρ₂ₘ₊₁ are positive and decreasing for a
// stationary series, so the sum stops at the first pair that is not, and
// each pair is capped at the one before it. The autocorrelations come from
// an FFT, so it costs O(n log n); a series longer than maxGeyer is first
// cut into blocks of b values, and τ = b·Var(block means)/Var(x)·τ(block
// means) — the variance of the whole sum, Var(Σx) = n·σ²·τ, computed
// through the blocks — so the FFT stays small. The result is at least 1; a
// series without variance gives 1.
func IACT(xs []float64) float64 {
	n := len(xs)
	if n < 4 {
		return 1
	}
	mean, c0 := meanVar(xs)
	// No variance beyond rounding: nothing correlates.
	if c0 <= 1e-18*max(mean*mean, 1e-300) || c0 == 0 {
		return 1
	}
	if n <= maxGeyer {
		return geyer(xs, mean)
	}
	b := (n + maxGeyer - 1) / maxGeyer
	blocks := make([]float64, n/b)
	for i := range blocks {
		var sum float64
		for _, x := range xs[i*b : (i+1)*b] {
			sum += x
		}
		blocks[i] = sum / float64(b)
	}
	bmean, bvar := meanVar(blocks)
	if bvar <= 1e-18*max(bmean*bmean, 1e-300) || bvar == 0 {
		return 1
	}
	return max(1, float64(b)*bvar/c0*geyer(blocks, bmean))
}

// maxGeyer is the longest series IACT sums directly.
const maxGeyer = 256

// meanVar returns the mean and the (population) variance of xs.
func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs))
}

// geyer is the initial positive sequence estimate of τ for xs with the
// given mean.
func geyer(xs []float64, mean float64) float64 {
	n := len(xs)
	acov := autocovariance(xs, mean)
	if acov[0] <= 0 {
		return 1
	}
	rho := func(k int) float64 { return acov[k] / acov[0] }
	// Γ₀ = ρ₀ + ρ₁, Γₘ = ρ₂ₘ + ρ₂ₘ₊₁; τ = −1 + 2·ΣΓₘ.
	prev := 1 + rho(1)
	if prev <= 0 {
		return 1
	}
	sum := prev
	for m := 1; 2*m+1 < n/2; m++ {
		g := rho(2*m) + rho(2*m+1)
		if g <= 0 {
			break
		}
		g = min(g, prev)
		sum += g
		prev = g
	}
	return max(1, 2*sum-1)
}

// autocovariance returns Σᵢ (xᵢ−mean)(xᵢ₊ₖ−mean) for k < len(xs), by the
// FFT of the zero-padded series (Wiener–Khinchin).
func autocovariance(xs []float64, mean float64) []float64 {
	n := len(xs)
	size := 1 << bits.Len(uint(2*n-1))
	a := make([]complex128, size)
	for i, x := range xs {
		a[i] = complex(x-mean, 0)
	}
	fft(a, false)
	for i, v := range a {
		a[i] = complex(real(v)*real(v)+imag(v)*imag(v), 0)
	}
	fft(a, true)
	out := make([]float64, n)
	for k := range out {
		out[k] = real(a[k]) / float64(size)
	}
	return out
}

// fft transforms a in place (its length a power of two); inverse uses the
// conjugate roots and leaves the 1/n scaling to the caller.
func fft(a []complex128, inverse bool) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Rect(1, sign*2*math.Pi/float64(size))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := range size / 2 {
				u, v := a[start+k], a[start+k+size/2]*wk
				a[start+k], a[start+k+size/2] = u+v, u-v
				wk *= w
			}
		}
	}
}
