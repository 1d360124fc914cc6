package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"
)

// profiles writes the harness's own pprof profiles (--cpuprofile,
// --memprofile), for finding what loadgen itself spends CPU and memory on.
type profiles struct {
	cpu       *os.File
	mem       *os.File // created at the start, written when the duration ends
	heapTimer *time.Timer
	heapDone  chan struct{} // closed once the heap profile is written (or failed)
}

// startProfiles starts the CPU profile now and schedules the heap profile
// for when the run's duration ends: the moment the most sessions are in
// flight, before they drain.
func startProfiles(cpuPath, memPath string, duration time.Duration, log *slog.Logger) (*profiles, error) {
	p := &profiles{}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		p.cpu = f
	}
	if memPath != "" {
		f, err := os.Create(memPath) // now, so that a bad path stops the run before it starts
		if err != nil {
			p.stopCPU()
			return nil, fmt.Errorf("--memprofile: %w", err)
		}
		p.mem = f
		p.heapDone = make(chan struct{})
		p.heapTimer = time.AfterFunc(duration, func() {
			defer close(p.heapDone)
			if err := writeHeapProfile(f); err != nil {
				log.Error("heap profile", "err", err)
				return
			}
			log.Info("wrote heap profile", "file", memPath)
		})
	}
	return p, nil
}

func writeHeapProfile(f *os.File) error {
	// The profile shows the heap as of the last GC: make it now, and hand
	// freed pages back to the OS, so that RSS at this moment shows what the
	// live data costs (the memory benchmark reads it).
	debug.FreeOSMemory()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--memprofile: %w", err)
	}
	return f.Close()
}

// stop ends the CPU profile and waits for a heap profile being written; one
// not yet due (the run was interrupted) is not written.
func (p *profiles) stop() {
	if p.heapTimer != nil {
		if p.heapTimer.Stop() {
			p.mem.Close() // not written: the run ended before its duration did
		} else {
			<-p.heapDone
		}
	}
	p.stopCPU()
}

func (p *profiles) stopCPU() {
	if p.cpu != nil {
		pprof.StopCPUProfile()
		p.cpu.Close()
		p.cpu = nil
	}
}
