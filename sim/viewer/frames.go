package viewer

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
)

// FrameWriter writes numbered PNG frames (frame_000000.png, …) into a
// directory on a goroutine of its own, so that encoding overlaps rendering.
// At most two frames wait; Write blocks beyond that.
type FrameWriter struct {
	dir  string
	n    int
	jobs chan frameJob
	free chan *image.RGBA
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error
}

type frameJob struct {
	path string
	img  *image.RGBA
}

// NewFrameWriter creates dir (and its parents) and starts the writer. A frame
// file that already exists is an error (the frames of an earlier recording
// are not overwritten) unless overwrite is set.
func NewFrameWriter(dir string, overwrite bool) (*FrameWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	f := &FrameWriter{dir: dir, jobs: make(chan frameJob, 2), free: make(chan *image.RGBA, 4)}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for j := range f.jobs {
			if err := savePNG(j.path, j.img, overwrite); err != nil {
				f.mu.Lock()
				if f.err == nil {
					f.err = err
				}
				f.mu.Unlock()
			}
			select {
			case f.free <- j.img:
			default:
			}
		}
	}()
	return f, nil
}

// Write queues a copy of img as the next frame and returns its path. It
// returns the first write error so far, if any.
func (f *FrameWriter) Write(img *image.RGBA) (string, error) {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return "", err
	}
	var buf *image.RGBA
	select {
	case buf = <-f.free:
		if buf.Rect != img.Rect {
			buf = nil
		}
	default:
	}
	if buf == nil {
		buf = image.NewRGBA(img.Rect)
	}
	copy(buf.Pix, img.Pix)
	p := filepath.Join(f.dir, fmt.Sprintf("frame_%06d.png", f.n))
	f.n++
	f.jobs <- frameJob{p, buf}
	return p, nil
}

// Frames returns the number of frames queued so far.
func (f *FrameWriter) Frames() int { return f.n }

// Close waits for the queued frames and returns the first write error.
func (f *FrameWriter) Close() error {
	close(f.jobs)
	f.wg.Wait()
	return f.err
}
