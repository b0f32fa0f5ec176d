//go:build unix

package natstest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// StoreImage is a copy of every node's store directory taken at one
// instant, to model a power loss: restoring it returns each disk to what it
// held then, as if nothing written afterwards had reached the disk.
type StoreImage struct {
	dirs []string // per node; removed by Discard
}

// TakeImage freezes every node with SIGSTOP, copies each store directory,
// and continues them. Frozen, a node writes nothing, so the copies are
// consistent with each other: the state a crash of the whole cluster at that
// instant would leave. Clients see a pause as long as the copy.
func (c *ProcCluster) TakeImage() (*StoreImage, error) {
	var errs []error
	for _, s := range c.Servers {
		errs = append(errs, s.Pause())
	}
	img := &StoreImage{}
	for _, s := range c.Servers {
		dst := s.StoreDir() + ".image"
		img.dirs = append(img.dirs, dst)
		errs = append(errs, os.RemoveAll(dst), copyTree(s.StoreDir(), dst))
	}
	for _, s := range c.Servers {
		errs = append(errs, s.Resume())
	}
	if err := errors.Join(errs...); err != nil {
		img.Discard()
		return nil, fmt.Errorf("natstest: take store image: %w", err)
	}
	return img, nil
}

// Restore replaces every node's store with the image. Every node must be
// stopped.
func (c *ProcCluster) Restore(img *StoreImage) error {
	for i, s := range c.Servers {
		if s.Running() {
			return fmt.Errorf("%w: restore store image: %s is running", ErrInvalidOptions, s.Name())
		}
		if err := os.RemoveAll(s.StoreDir()); err != nil {
			return fmt.Errorf("natstest: restore store image: %w", err)
		}
		if err := copyTree(img.dirs[i], s.StoreDir()); err != nil {
			return fmt.Errorf("natstest: restore store image: %w", err)
		}
	}
	return nil
}

// Discard removes the image's copies.
func (img *StoreImage) Discard() {
	for _, d := range img.dirs {
		_ = os.RemoveAll(d)
	}
}

// copyTree copies the directory tree src to dst (regular files and
// directories, which is all a JetStream store holds).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}
