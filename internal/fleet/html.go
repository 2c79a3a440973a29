package fleet

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/beeaudit/bee/internal/audit"
	"github.com/beeaudit/bee/internal/sat"
)

//go:embed report.html.tmpl
var htmlTemplates string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"s":   str,
	"age": FormatAge,
	"size": func(p *int64) string {
		if p == nil {
			return ""
		}
		return sizeText(p)
	},
	"int": func(p *int) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	},
	"rank": verdictRank,
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "unknown"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}).Parse(htmlTemplates))

type indexView struct {
	R         *Report
	Generated string
}

type serverView struct {
	S         *Server
	H         *audit.Hardware
	A         *audit.Audit
	Now       time.Time
	Config    []audit.Finding
	DIMMs     *DIMMMap
	PCIe      []PCIeBus
	GPUs      []GPUCard
	NVLink    *NVLinkGrid
	Populated []audit.DIMM
	Sat       []satView
}

type satView struct {
	Run     SatRun
	File    string
	Reasons []sat.Reason
}

// WriteHTML writes the HTML report into dir: index.html (every server,
// sortable and filterable, the models and their differences) and one page per
// server under servers/. The pages load nothing: styles and the small sorting
// script are inline and a Content-Security-Policy forbids every fetch, so they
// open from a USB stick on an offline laptop. The server pages are written
// first, index.html last and atomically.
func WriteHTML(dir string, r *Report) error {
	sdir := filepath.Join(dir, "servers")
	if err := os.MkdirAll(sdir, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, s := range r.Servers {
		buf.Reset()
		if err := tmpl.ExecuteTemplate(&buf, "server", newServerView(s, r.Now)); err != nil {
			return fmt.Errorf("server page of %s: %w", s.SerialOrUnknown(), err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(s.Page)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	buf.Reset()
	if err := tmpl.ExecuteTemplate(&buf, "index", indexView{R: r, Generated: r.Now.UTC().Format("2006-01-02 15:04 UTC")}); err != nil {
		return fmt.Errorf("index page: %w", err)
	}
	return audit.WriteAtomic(filepath.Join(dir, "index.html"), buf.Bytes(), 0o644)
}

func newServerView(s *Server, now time.Time) serverView {
	v := serverView{S: s, A: s.Audit, Now: now}
	if s.Audit != nil {
		h := &s.Audit.Hardware
		v.H = h
		for _, f := range h.Summary.Findings {
			if strings.HasPrefix(f.Code, "CONFIG_") {
				v.Config = append(v.Config, f)
			}
		}
		v.DIMMs = BuildDIMMMap(h)
		v.PCIe = BuildPCIeTree(h)
		v.GPUs = BuildGPUGrid(h)
		v.NVLink = BuildNVLinkGrid(h)
		if h.Memory != nil {
			for _, d := range h.Memory.DIMMs {
				if d.Populated {
					v.Populated = append(v.Populated, d)
				}
			}
		}
	}
	for _, r := range s.Sat {
		v.Sat = append(v.Sat, satView{Run: r, File: filepath.Base(r.Path), Reasons: r.Reasons})
	}
	return v
}
