package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// defaultWidth is the table's width when the terminal's is unknown.
const defaultWidth = 120

// isTerminal reports whether f is a character device, as terminals are.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// readKeys delivers the bytes read from in, one at a time; the channel is
// closed at the end of input. When in is a terminal and stty is available,
// the terminal is put in character mode without echo, so a key acts
// without Enter; restore puts it back. Otherwise keys arrive a line at a
// time, which works the same with Enter. The reading goroutine ends with
// the process.
func readKeys(in *os.File) (keys <-chan byte, restore func()) {
	restore = func() {}
	if isTerminal(in) {
		if saved, err := stty(in, "-g"); err == nil {
			if _, err := stty(in, "-icanon", "-echo", "min", "1"); err == nil {
				restore = func() { _, _ = stty(in, string(bytes.TrimSpace(saved))) }
			}
		}
	}
	ch := make(chan byte, 16)
	go func() {
		defer close(ch)
		buf := make([]byte, 64)
		for {
			n, err := in.Read(buf)
			for _, b := range buf[:n] {
				ch <- b
			}
			if err != nil {
				return // end of input, or the terminal went away
			}
		}
	}()
	return ch, restore
}

// stty runs stty on the terminal in.
func stty(in *os.File, args ...string) ([]byte, error) {
	if _, err := exec.LookPath("stty"); err != nil {
		return nil, err
	}
	cmd := exec.Command("stty", args...)
	cmd.Stdin = in
	return cmd.Output()
}

// terminalWidth returns the number of columns of the terminal f, as stty
// reports it, or defaultWidth.
func terminalWidth(f *os.File) int {
	size, err := stty(f, "size")
	if err != nil {
		return defaultWidth
	}
	fields := strings.Fields(string(size))
	if len(fields) != 2 {
		return defaultWidth
	}
	cols, err := strconv.Atoi(fields[1])
	if err != nil || cols < 20 {
		return defaultWidth
	}
	return cols
}
