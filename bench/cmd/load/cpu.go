package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat's times; it
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the CPU time (user + system) process pid has used, from
// /proc/<pid>/stat; pid 0 is this process.
func cpuTime(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	// utime and stime are fields 14 and 15, i.e. 12 and 13 after the name.
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// cores is CPU time used over a wall-clock window, in cores.
func cores(used, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return used.Seconds() / wall.Seconds()
}
