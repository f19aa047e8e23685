// go-big: a wasip1 program large enough (over 10 MB) to time
// `component new` on a realistic Go module. It links a broad slice of the
// standard library and prints a line computed with it.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"go/format"
	"html/template"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

type record struct {
	Name  string   `json:"name" xml:"name"`
	Tags  []string `json:"tags" xml:"tag"`
	Score int      `json:"score" xml:"score"`
}

func main() {
	recs := []record{{"b", []string{"x"}, 2}, {"a", []string{"y", "z"}, 1}}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	js, _ := json.Marshal(recs)
	xs, _ := xml.Marshal(recs)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(js)
	w.Close()
	src, _ := format.Source([]byte("package p\nfunc f( ){}"))
	t := template.Must(template.New("t").Parse("<p>{{.}}</p>"))
	var html bytes.Buffer
	t.Execute(&html, "<go>")
	re := regexp.MustCompile(`[a-z]+`)
	n := new(big.Int).Exp(big.NewInt(3), big.NewInt(100), nil)
	rec := httptest.NewRecorder()
	http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "json\t%d\txml\t%d\n", len(js), len(xs))
	tw.Flush()
	fmt.Println(sha256.Sum256(js), strings.Join(re.FindAllString("go wasm 1", -1), ","), len(src), html.String(), n.BitLen(), rec.Body.String(), time.Duration(0))
}
