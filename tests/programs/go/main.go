// Go guest for mmadapt's end-to-end tests (GOOS=wasip1 GOARCH=wasm).
//
// It first makes the Go runtime grow its heap to hundreds of MB (live slices
// plus churn), which is what breaks adapters that grow the main module's
// memory behind the runtime's back, then uses args, env, files, directories,
// clocks and crypto/rand, and exits with a code.
//
// argv: goprog <dir> [exit-code] [live-MB]   dir: a preopened directory;
//       exit code defaults to 9, live-MB to 300.
// Output is deterministic: no timestamps, sorted listings, checksums only.
package main

import (
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

var sink [][]byte

func allocate(liveMB int) {
	const chunk = 1 << 20
	live := make([][]byte, 0, liveMB)
	var sum uint64
	for i := 0; i < liveMB; i++ {
		b := make([]byte, chunk)
		for j := 0; j < chunk; j += 4096 {
			b[j] = byte(i + j/4096)
		}
		live = append(live, b)
	}
	// Churn: short-lived garbage, several times the live size in total.
	for round := 0; round < 4; round++ {
		for i := 0; i < liveMB/2; i++ {
			g := make([]byte, chunk)
			g[i%chunk] = byte(round)
			sink = append(sink, g)
			if len(sink) > 8 {
				sink = sink[:0]
			}
		}
		runtime.GC()
	}
	for i, b := range live {
		for j := 0; j < chunk; j += 4096 {
			if b[j] != byte(i+j/4096) {
				fmt.Printf("heap corrupted at slice %d offset %d\n", i, j)
				os.Exit(70)
			}
			sum += uint64(b[j])
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("allocated %d MB live, checksum %d\n", len(live), sum)
	fmt.Printf("heap in use >= live: %v\n", ms.HeapInuse >= uint64(liveMB)*chunk)
	runtime.KeepAlive(live)
}

func check(what string, err error) {
	if err != nil {
		fmt.Printf("%s: error: %v\n", what, err)
	} else {
		fmt.Printf("%s: ok\n", what)
	}
}

func listing(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		fmt.Printf("ReadDir %s: %v\n", filepath.Base(dir), err)
		return
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		kind := "f"
		if e.IsDir() {
			kind = "d"
		} else if e.Type()&os.ModeSymlink != 0 {
			kind = "l"
		}
		names = append(names, kind+" "+e.Name())
	}
	sort.Strings(names)
	fmt.Printf("listing %s: %s\n", filepath.Base(dir), strings.Join(names, ", "))
}

func main() {
	args := os.Args
	liveMB := 300
	if len(args) > 3 {
		liveMB, _ = strconv.Atoi(args[3])
	}
	allocate(liveMB)

	fmt.Printf("argc=%d\n", len(args))
	for i, a := range args {
		fmt.Printf("argv[%d]=%s\n", i, a)
	}
	env := os.Environ()
	sort.Strings(env)
	fmt.Printf("envc=%d\n", len(env))
	for _, e := range env {
		fmt.Printf("env %s\n", e)
	}
	fmt.Printf("GOPROG_MODE=%q\n", os.Getenv("GOPROG_MODE"))

	// Clocks: orderings only.
	t0 := time.Now()
	time.Sleep(time.Millisecond)
	t1 := time.Now()
	fmt.Printf("time.Since after Sleep(1ms) >= 1ms: %v\n", t1.Sub(t0) >= time.Millisecond)
	fmt.Printf("wall clock after 2020: %v\n", t0.Year() >= 2020)

	// crypto/rand: lengths and "not all zero" only.
	r := make([]byte, 64)
	n, err := rand.Read(r)
	nonzero := false
	for _, b := range r {
		nonzero = nonzero || b != 0
	}
	fmt.Printf("crypto/rand: n=%d err=%v nonzero=%v\n", n, err, nonzero)

	fmt.Fprintln(os.Stderr, "goprog: this goes to stderr")

	if len(args) < 2 {
		fmt.Println("no directory given")
		os.Exit(2)
	}
	dir := args[1]

	// Files.
	out := filepath.Join(dir, "go-out.txt")
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, "go line %d\n", i)
	}
	content := []byte(sb.String())
	check("WriteFile go-out.txt", os.WriteFile(out, content, 0o644))
	back, err := os.ReadFile(out)
	fmt.Printf("ReadFile go-out.txt: %d bytes, crc32 %08x, same=%v, err=%v\n",
		len(back), crc32.ChecksumIEEE(back), string(back) == string(content), err)
	f, err := os.OpenFile(out, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		f.WriteString("appended\n")
		f.Close()
	}
	if st, err := os.Stat(out); err == nil {
		fmt.Printf("Stat go-out.txt: size=%d mode=%v\n", st.Size(), st.Mode().IsRegular())
	}
	if in, err := os.ReadFile(filepath.Join(dir, "input.txt")); err == nil {
		fmt.Printf("input.txt: %s", in)
	} else {
		fmt.Printf("input.txt: %v\n", err)
	}

	// Directories.
	tree := filepath.Join(dir, "gotree", "a", "b")
	check("MkdirAll gotree/a/b", os.MkdirAll(tree, 0o755))
	check("Mkdir gotree (exists)", os.Mkdir(filepath.Join(dir, "gotree"), 0o755))
	for i, name := range []string{"x.txt", "y.txt", "z.txt"} {
		os.WriteFile(filepath.Join(dir, "gotree", name), []byte(strings.Repeat("g", i+1)), 0o644)
	}
	listing(filepath.Join(dir, "gotree"))
	check("Rename x.txt -> a/x2.txt", os.Rename(filepath.Join(dir, "gotree", "x.txt"), filepath.Join(dir, "gotree", "a", "x2.txt")))
	check("Remove y.txt", os.Remove(filepath.Join(dir, "gotree", "y.txt")))
	check("Remove y.txt again", os.Remove(filepath.Join(dir, "gotree", "y.txt")))
	check("Remove gotree/a (not empty)", os.Remove(filepath.Join(dir, "gotree", "a")))
	check("Remove gotree/a/b", os.Remove(tree))
	check("Symlink z.txt <- zlink", os.Symlink("z.txt", filepath.Join(dir, "gotree", "zlink")))
	if target, err := os.Readlink(filepath.Join(dir, "gotree", "zlink")); err == nil {
		fmt.Printf("Readlink zlink: %s\n", target)
	}
	listing(filepath.Join(dir, "gotree"))
	listing(filepath.Join(dir, "gotree", "a"))
	_, err = os.Stat(filepath.Join(dir, "does-not-exist"))
	fmt.Printf("Stat missing: IsNotExist=%v\n", os.IsNotExist(err))

	code := 9
	if len(args) > 2 {
		code, _ = strconv.Atoi(args[2])
	}
	fmt.Printf("exiting with %d\n", code)
	os.Exit(code)
}
