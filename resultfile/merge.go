package resultfile

import (
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/loadgen/loadgen/results"
)

// Merge replays the records of the results files at paths into s in time
// order across the files, each file's own order kept: the shards of a run
// as one process would have recorded them, so that s sees session events
// in time order (what an Aggregate's users-active series needs). A
// session event's time is its own; a result's is when it ended (its start
// plus its latency), which is when a Writer wrote it. It returns what it
// learned of each file, in the order of paths.
func Merge(s results.TimedSink, paths ...string) ([]FileInfo, error) {
	var h mergeHeap
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	readers := make([]*Reader, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		files = append(files, f)
		if readers[i], err = NewReader(f, p); err != nil {
			return nil, err
		}
		if err := h.pushNext(readers[i], i); err != nil {
			return nil, err
		}
	}
	for h.Len() > 0 {
		head := heap.Pop(&h).(mergeHead)
		switch ev := head.ev; ev.Kind {
		case "start":
			s.SessionStartedAt(ev.Conversation, ev.At)
		case "end":
			s.SessionEndedAt(ev.Conversation, ev.End, ev.At)
		default:
			s.Record(ev.Result)
		}
		if err := h.pushNext(readers[head.file], head.file); err != nil {
			return nil, err
		}
	}
	infos := make([]FileInfo, len(paths))
	for i, r := range readers {
		infos[i] = FileInfo{Path: paths[i], Run: r.Run(), ClosedAt: r.ClosedAt(), Records: r.Records(), Warnings: r.Warnings()}
	}
	return infos, nil
}

// mergeHead is the next record of one file.
type mergeHead struct {
	ev   Event
	at   time.Time
	file int
}

// mergeHeap orders the files' next records by time, then by file.
type mergeHeap []mergeHead

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].file < h[j].file
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeHead)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// pushNext reads file's next record onto the heap; nothing at its end.
func (h *mergeHeap) pushNext(r *Reader, file int) error {
	ev, err := r.Next()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	at := ev.At
	if ev.Result != nil {
		at = ev.Result.Start
		if at.IsZero() {
			at = ev.Result.Intended
		}
		at = at.Add(ev.Result.Latency)
	}
	heap.Push(h, mergeHead{ev: ev, at: at, file: file})
	return nil
}
