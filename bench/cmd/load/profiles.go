package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
)

// profileDir is where -profiles writes each column's profiles; "" writes
// none.
var profileDir string

// profilePath names a column's profile of kind in profileDir.
func profilePath(row rolesRow, kind string) string {
	name := strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "").Replace(fmt.Sprintf("%d-%s", row.n, row.column()))
	return filepath.Join(profileDir, name+"."+kind+".pprof")
}

// writeHeapProfile writes the column's live heap, when profiles are asked
// for: where the heap per role goes.
func writeHeapProfile(row rolesRow) {
	if profileDir == "" {
		return
	}
	f, err := os.Create(profilePath(row, "heap"))
	if err != nil {
		progress("heap profile: %v", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		progress("heap profile: %v", err)
	}
}

// startCPUProfile profiles the process into the column's profile of kind
// until the returned func is called, when profiles are asked for: where the
// start's CPU goes ("start", until all lead), or the quiet window's ("cpu").
func startCPUProfile(row rolesRow, kind string) func() {
	if profileDir == "" {
		return func() {}
	}
	f, err := os.Create(profilePath(row, kind))
	if err != nil {
		progress("cpu profile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		progress("cpu profile: %v", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
